/**
 * In-memory price cache and price sources for service tests that need no
 * AWS. The cache joins the PriceCache contract suite; the sources answer from
 * a table and count every question, as the Pricing and EC2 adapters count calls.
 */
import type { OnDemandQuery, SpotQuery } from '../../src/core/priceLookup.js';
import type { CachedPrice, PriceCache } from '../../src/ports/priceCache.js';
import type { OnDemandPriceSource, SpotPriceSource } from '../../src/ports/priceSource.js';

export class MemoryPriceCache implements PriceCache {
  readonly entries = new Map<string, CachedPrice>();

  async get(key: string, now: Date): Promise<CachedPrice | undefined> {
    const e = this.entries.get(key);
    return e && Date.parse(e.expiresAt) > now.getTime() ? structuredClone(e) : undefined;
  }

  async put(entry: CachedPrice): Promise<void> {
    this.entries.set(entry.key, structuredClone(entry));
    this.claims.delete(entry.key);
  }

  /** Claims by key → until (ms); the same rule as the stores: no live entry, no live claim. */
  readonly claims = new Map<string, number>();

  async claim(key: string, now: Date, until: Date): Promise<boolean> {
    if (await this.get(key, now)) return false;
    if ((this.claims.get(key) ?? 0) > now.getTime()) return false;
    this.claims.set(key, until.getTime());
    return true;
  }
}

/** Prices by instance type; every question is recorded. `failures` makes the next N questions throw. */
export class TablePriceSource implements OnDemandPriceSource, SpotPriceSource {
  readonly onDemandAsked: OnDemandQuery[] = [];
  readonly spotAsked: SpotQuery[] = [];
  failures = 0;

  constructor(
    readonly onDemand: Record<string, number> = {},
    readonly spot: Record<string, number> = {},
  ) {}

  async onDemandHourlyUsd(query: OnDemandQuery): Promise<number | undefined> {
    this.onDemandAsked.push(query);
    this.fail();
    return this.onDemand[query.instanceType];
  }

  async spotHourlyUsd(query: SpotQuery): Promise<number | undefined> {
    this.spotAsked.push(query);
    this.fail();
    return this.spot[query.instanceType];
  }

  private fail(): void {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('price source unavailable');
    }
  }
}
