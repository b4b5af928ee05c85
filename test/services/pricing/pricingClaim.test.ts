/**
 * Two processes (or two cold Lambda containers) pricing the same key at the
 * same moment make one GetProducts call between them: the first claims the
 * key in the shared store, the second finds it claimed and waits for the
 * entry. Each pricer has its own Pricing client, as separate processes do;
 * the loopback Price List counts the calls. Run over both stores: two SQLite
 * connections on one file (two single processes) and DynamoDB on moto.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PricingClient } from '@aws-sdk/client-pricing';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoPriceCache } from '../../../src/aws/dynamodb/priceCache.js';
import { PriceListOnDemandPrices } from '../../../src/aws/priceListPrices.js';
import type { PriceFacts } from '../../../src/core/priceLookup.js';
import type { PriceCache } from '../../../src/ports/priceCache.js';
import { InstancePricer } from '../../../src/services/pricing/instancePricer.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqlitePriceCache } from '../../../src/sqlite/priceCache.js';
import { createTable } from '../../support/dynamoTable.js';
import { TablePriceSource } from '../../support/fakePrices.js';
import { useFakePricingApi } from '../../support/fakePricingApi.js';
import { VirtualClock } from '../../support/fakes.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();
const fake = useFakePricingApi();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two handles on one store, as two processes or containers have. */
const stores: [string, () => Promise<[PriceCache, PriceCache]>][] = [
  [
    'SQLite (two connections on one file)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lightsout-price-claim-'));
      dirs.push(dir);
      const file = join(dir, 'lightsout.db');
      return [new SqlitePriceCache(openDatabase(file)), new SqlitePriceCache(openDatabase(file))];
    },
  ],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return [new DynamoPriceCache(doc, tableName), new DynamoPriceCache(doc, tableName)];
    },
  ],
];

/** The real store, with each claim's answer written down. */
class ClaimLog implements PriceCache {
  readonly claims: boolean[] = [];
  /** The time each read was made at. */
  readonly reads: string[] = [];
  constructor(private readonly inner: PriceCache) {}
  get = (key: string, now: Date) => {
    this.reads.push(now.toISOString());
    return this.inner.get(key, now);
  };
  put: PriceCache['put'] = (entry) => this.inner.put(entry);
  async claim(key: string, now: Date, until: Date): Promise<boolean> {
    const got = await this.inner.claim(key, now, until);
    this.claims.push(got);
    return got;
  }
}

const M5: PriceFacts = {
  region: 'eu-west-1',
  instanceType: 'm5.large',
  availabilityZone: 'eu-west-1a',
  platform: 'Linux/UNIX',
  tenancy: 'default',
};

/** A pricer of its own process; by default it waits generously, so a slow machine never makes a second call. */
function pricer(cache: PriceCache, claimWait = { attempts: 400, intervalMs: 25 }) {
  const pricing = new PricingClient({
    region: 'us-east-1',
    endpoint: fake.api.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  return new InstancePricer({
    onDemand: new PriceListOnDemandPrices(() => pricing),
    spot: new TablePriceSource(),
    cache,
    claimWait,
  });
}

async function until(done: () => boolean): Promise<void> {
  const give = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > give) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(stores)('one Pricing call per key across processes: %s', (_name, open) => {
  it('lets the first of two cold starts ask, and the second use its answer', async () => {
    // Arrange: the Price List answers slowly, so the first lookup is still in flight.
    fake.api.addEc2('m5.large', 'eu-west-1', '0.1070000000');
    const [storeA, storeB] = await open();
    const second = new ClaimLog(storeB);
    const now = new Date('2026-11-21T10:00:00.000Z');
    const release = fake.api.hold();

    // Act: A claims the key and asks; B starts while A waits for the answer.
    const a = pricer(storeA).priceOf(undefined, M5, undefined, now);
    await until(() => fake.api.requests.length === 1);
    const b = pricer(second).priceOf(undefined, M5, undefined, now);
    await until(() => second.claims.length === 1);
    release();
    const [priceA, priceB] = await Promise.all([a, b]);
    // A third process later the same day finds the entry and claims nothing.
    const third = new ClaimLog(storeB);
    const priceC = await pricer(third).priceOf(undefined, M5, undefined, new Date(now.getTime() + 3_600_000));

    // Assert
    expect(fake.api.requests).toHaveLength(1);
    expect(second.claims).toEqual([false]);
    expect(third.claims).toEqual([]);
    const expected = { hourlyUsd: 0.107, source: 'on-demand', at: now.toISOString() };
    expect([priceA, priceB, priceC]).toEqual([expected, expected, expected]);
  });

  it('keeps the price a run had, without asking, when the claimant never writes', async () => {
    // Arrange: another process claimed the key and died.
    fake.api.addEc2('m5.large', 'eu-west-1', '0.1070000000');
    const [storeA, storeB] = await open();
    const now = new Date('2026-11-21T10:00:00.000Z');
    await storeA.claim(
      'on-demand|eu-west-1|m5.large|Linux|No License required|NA|Shared',
      now,
      new Date(now.getTime() + 60_000),
    );
    const old = { hourlyUsd: 0.1, source: 'on-demand' as const, at: '2026-11-20T09:00:00.000Z' };
    const patient = pricer(storeB, { attempts: 2, intervalMs: 1 });

    // Act
    const during = await patient.priceOf(old, M5, undefined, now);
    const afterClaim = await patient.priceOf(old, M5, undefined, new Date(now.getTime() + 61_000));

    // Assert: nothing asked while the dead claim held; asked once it ran out.
    expect(during).toBe(old);
    expect(afterClaim).toMatchObject({ hourlyUsd: 0.107 });
    expect(fake.api.requests).toHaveLength(1);
  });

  it('waits for the claimant through the injected sleep and reads at the clock time of each read', async () => {
    // Arrange: A claimed the key at 10:00; B's waits move the virtual clock, and A writes its
    // entry during B's second wait.
    const [storeA, storeB] = await open();
    const key = 'on-demand|eu-west-1|m5.large|Linux|No License required|NA|Shared';
    const clock = new VirtualClock(new Date('2026-11-21T10:00:00.000Z'));
    const started = clock.now();
    await storeA.claim(key, started, new Date(started.getTime() + 60_000));
    const entry = {
      key,
      hourlyUsd: 0.107,
      fetchedAt: '2026-11-21T10:00:00.000Z',
      expiresAt: '2026-11-22T10:00:00.000Z',
    };
    const waits: number[] = [];
    const b = new ClaimLog(storeB);
    const patient = new InstancePricer({
      onDemand: new PriceListOnDemandPrices(() => {
        throw new Error('B must not ask the Price List while A holds the claim');
      }),
      spot: new TablePriceSource(),
      cache: b,
      claimWait: { attempts: 8, intervalMs: 5_000 },
      clock: clock.now,
      sleep: async (ms) => {
        waits.push(ms);
        clock.advance(ms / 1000);
        if (waits.length === 2) await storeA.put(entry);
      },
    });

    // Act
    const price = await patient.priceOf(undefined, M5, undefined, started);

    // Assert: two waits, no real time, and each read dated by the clock rather than the start.
    expect(price).toEqual({ hourlyUsd: 0.107, source: 'on-demand', at: '2026-11-21T10:00:00.000Z' });
    expect(waits).toEqual([5_000, 5_000]);
    expect(b.reads).toEqual([
      '2026-11-21T10:00:00.000Z',
      '2026-11-21T10:00:05.000Z',
      '2026-11-21T10:00:10.000Z',
    ]);
    expect(fake.api.requests).toHaveLength(0);
  });
});
