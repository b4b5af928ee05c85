/**
 * Prices instances: decides with `planPriceLookup` (core) whether a run's
 * price still holds, comes from its HourlyCost tag, or must be looked up, and
 * looks it up through the store's price cache before asking the Price List
 * or EC2. A memo in front of the store cache serves a sweep of many
 * instances of one type from a single store read, and answers within one
 * process at most once per key while the entry lives.
 *
 * Across processes and Lambda containers the store's claim (PriceCache.claim)
 * lets one of them ask the source for a key; the others wait briefly for the
 * entry it writes.
 *
 * A failed lookup never fails the caller: the run keeps the price it had (or
 * stays unknown), the failure is logged, and the key is not asked again for
 * RETRY_AFTER_MS in this process so an outage is not hammered by every event.
 */
import type { InstancePrice } from '../../core/price.js';
import { PRICE_TTL_SECONDS } from '../../core/price.js';
import { type PriceFacts, type PriceLookup, planPriceLookup } from '../../core/priceLookup.js';
import { realSleep, type Sleep } from '../../core/retry.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { CachedPrice, PriceCache } from '../../ports/priceCache.js';
import type { OnDemandPriceSource, SpotPriceSource } from '../../ports/priceSource.js';

/** How long a key whose lookup failed is left alone in this process. */
export const RETRY_AFTER_MS = 5 * 60_000;

/**
 * How long a claim to look a key up holds: longer than a Pricing call with
 * its retries takes, so nobody asks again while the claimant is still asking.
 */
export const CLAIM_HOLD_MS = 60_000;

export interface PricerDeps {
  onDemand: OnDemandPriceSource;
  spot: SpotPriceSource;
  cache: PriceCache;
  /**
   * How long to wait for the entry when another process holds the claim on a
   * key: `attempts` store reads `intervalMs` apart (default 8 × 250 ms).
   */
  claimWait?: { attempts: number; intervalMs: number };
  /** How those reads wait (real time by default); tests pass one that moves a virtual clock. */
  sleep?: Sleep;
  /**
   * "Now" for each of those reads, as the entry may expire or the claim run
   * out while waiting. Without it, the `now` the caller gave plus the time waited.
   */
  clock?: Clock;
  /** False (PRICING=off): ask no source; only HourlyCost tags price a run, the rest is unknown. */
  lookups?: boolean;
  log?: Log;
}

const DEFAULT_CLAIM_WAIT = { attempts: 8, intervalMs: 250 };

/** What the monitor needs of a pricer (the service below; tests may pass their own). */
export interface Pricer {
  /**
   * The price a run should carry at `now`. `current` is the price on this
   * run's record (never a previous run's); `tagUsd` the valid HourlyCost tag.
   * Returns `current` itself when it still holds, so callers can tell nothing changed.
   */
  priceOf(
    current: InstancePrice | undefined,
    facts: PriceFacts,
    tagUsd: number | undefined,
    now: Date,
  ): Promise<InstancePrice | undefined>;
}

export class InstancePricer implements Pricer {
  private readonly memo = new Map<string, CachedPrice>();
  private readonly failedUntil = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<CachedPrice | undefined>>();

  constructor(private readonly deps: PricerDeps) {}

  async priceOf(
    current: InstancePrice | undefined,
    facts: PriceFacts,
    tagUsd: number | undefined,
    now: Date,
  ): Promise<InstancePrice | undefined> {
    const plan = planPriceLookup(current, facts, tagUsd, now);
    if (plan.kind === 'keep' || plan.kind === 'tag') return plan.price;
    if (plan.kind === 'unknown') {
      (this.deps.log ?? silentLog).debug('price unknown', { region: facts.region, reason: plan.reason });
      return undefined;
    }
    if (this.deps.lookups === false) {
      (this.deps.log ?? silentLog).debug('price unknown: lookups are off (PRICING=off)', { key: plan.key });
      return undefined;
    }
    const entry = await this.lookup(plan, now);
    // A failed lookup keeps what the run had; "no such product" makes it unknown.
    if (entry === undefined) return current;
    if (entry.hourlyUsd === undefined) return undefined;
    const price: InstancePrice = { hourlyUsd: entry.hourlyUsd, source: plan.kind, at: entry.fetchedAt };
    return current &&
      current.hourlyUsd === price.hourlyUsd &&
      current.source === price.source &&
      current.at === price.at
      ? current
      : price;
  }

  /** The cache entry for the plan's key: memo, then store, then the source (once per key at a time). */
  private async lookup(
    plan: Extract<PriceLookup, { kind: 'on-demand' | 'spot' }>,
    now: Date,
  ): Promise<CachedPrice | undefined> {
    const memo = this.memo.get(plan.key);
    if (memo && Date.parse(memo.expiresAt) > now.getTime()) return memo;
    if ((this.failedUntil.get(plan.key) ?? 0) > now.getTime()) return undefined;
    let pending = this.inFlight.get(plan.key);
    if (!pending) {
      pending = this.fetch(plan, now).finally(() => this.inFlight.delete(plan.key));
      this.inFlight.set(plan.key, pending);
    }
    return pending;
  }

  private async fetch(
    plan: Extract<PriceLookup, { kind: 'on-demand' | 'spot' }>,
    now: Date,
  ): Promise<CachedPrice | undefined> {
    const log = this.deps.log ?? silentLog;
    try {
      const cached = await this.deps.cache.get(plan.key, now);
      if (cached) {
        this.memo.set(plan.key, cached);
        return cached;
      }
      if (!(await this.deps.cache.claim(plan.key, now, new Date(now.getTime() + CLAIM_HOLD_MS)))) {
        // Another process or container is asking the source for this key: use its answer.
        const theirs = await this.awaitEntry(plan.key, now);
        if (theirs) {
          this.memo.set(plan.key, theirs);
          return theirs;
        }
        this.failedUntil.set(plan.key, now.getTime() + CLAIM_HOLD_MS);
        log.info('another process is looking this price up; the run keeps the price it had until then', {
          key: plan.key,
        });
        return undefined;
      }
      const hourlyUsd =
        plan.kind === 'spot'
          ? await this.deps.spot.spotHourlyUsd(plan.query, now)
          : await this.deps.onDemand.onDemandHourlyUsd(plan.query);
      const entry: CachedPrice = {
        key: plan.key,
        ...(hourlyUsd !== undefined ? { hourlyUsd } : {}),
        fetchedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + PRICE_TTL_SECONDS[plan.kind] * 1000).toISOString(),
      };
      await this.deps.cache.put(entry);
      this.memo.set(plan.key, entry);
      if (hourlyUsd === undefined) log.info('no price for this product; shown as unknown', { key: plan.key });
      return entry;
    } catch (err) {
      // The claim stays until it runs out: other containers do not hammer a failing source either.
      this.failedUntil.set(plan.key, now.getTime() + RETRY_AFTER_MS);
      log.warn('price lookup failed; the run keeps the price it had', {
        key: plan.key,
        error: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  }

  /** The entry another process's claim will write, read a few times while it asks the source. */
  private async awaitEntry(key: string, now: Date): Promise<CachedPrice | undefined> {
    const { attempts, intervalMs } = this.deps.claimWait ?? DEFAULT_CLAIM_WAIT;
    const sleep = this.deps.sleep ?? realSleep;
    for (let i = 1; i <= attempts; i++) {
      await sleep(intervalMs);
      const at = this.deps.clock?.() ?? new Date(now.getTime() + i * intervalMs);
      const entry = await this.deps.cache.get(key, at);
      if (entry) return entry;
    }
    return undefined;
  }
}
