import { PricingClient } from '@aws-sdk/client-pricing';
import { describe, expect, it } from 'vitest';
import { PriceListOnDemandPrices } from '../../../src/aws/priceListPrices.js';
import type { PriceFacts } from '../../../src/core/priceLookup.js';
import { silentLog } from '../../../src/log.js';
import { InstancePricer, RETRY_AFTER_MS } from '../../../src/services/pricing/instancePricer.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqlitePriceCache } from '../../../src/sqlite/priceCache.js';
import { TablePriceSource } from '../../support/fakePrices.js';
import { useFakePricingApi } from '../../support/fakePricingApi.js';
import { VirtualClock } from '../../support/fakes.js';

const DAY_S = 86_400;
const TYPES = ['m5.large', 'c5.xlarge', 't3.micro'];
const REGIONS = ['eu-west-1', 'us-east-1'];

function fleetOf(n: number): PriceFacts[] {
  return Array.from({ length: n }, (_, i) => ({
    region: REGIONS[i % REGIONS.length]!,
    instanceType: TYPES[i % TYPES.length]!,
    availabilityZone: `${REGIONS[i % REGIONS.length]}a`,
    platform: 'Linux/UNIX',
    tenancy: 'default',
  }));
}

describe('InstancePricer against the loopback Price List and a SQLite cache', () => {
  const fake = useFakePricingApi();

  function world() {
    for (const region of REGIONS) {
      fake.api.addEc2('m5.large', region, '0.1070000000');
      fake.api.addEc2('c5.xlarge', region, '0.1920000000');
      fake.api.addEc2('t3.micro', region, '0.0114000000');
    }
    const pricing = new PricingClient({
      region: 'us-east-1',
      endpoint: fake.api.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
    const onDemand = new PriceListOnDemandPrices(() => pricing);
    const cache = new SqlitePriceCache(openDatabase(':memory:'));
    const clock = new VirtualClock(new Date('2026-11-21T10:00:00Z'));
    const pricer = () => new InstancePricer({ onDemand, spot: new TablePriceSource(), cache });
    return { onDemand, cache, clock, pricer };
  }

  it('makes at most one Pricing call per (type, region, OS, tenancy) per day, however many instances', async () => {
    // Arrange
    const w = world();
    const pricer = w.pricer();
    const fleet = fleetOf(60);

    // Act: price everything, again an hour later, and a day later
    const first = await Promise.all(fleet.map((f) => pricer.priceOf(undefined, f, undefined, w.clock.now())));
    const callsDayOne = w.onDemand.stats.getProductsCalls;
    w.clock.advance(3600);
    for (const f of fleet) await pricer.priceOf(undefined, f, undefined, w.clock.now());
    const callsAfterAnHour = w.onDemand.stats.getProductsCalls;
    w.clock.advance(DAY_S);
    for (const f of fleet) await pricer.priceOf(undefined, f, undefined, w.clock.now());

    // Assert: 3 types x 2 regions = 6 keys
    expect(callsDayOne).toBe(6);
    expect(callsAfterAnHour).toBe(6);
    expect(w.onDemand.stats.getProductsCalls).toBe(12);
    expect(first[0]).toEqual({ hourlyUsd: 0.107, source: 'on-demand', at: '2026-11-21T10:00:00.000Z' });
    expect(first.every((p) => p !== undefined && p.hourlyUsd > 0)).toBe(true);
  });

  it("shares the day's answers through the store: another process or Lambda container asks nothing", async () => {
    // Arrange
    const w = world();
    for (const f of fleetOf(6)) await w.pricer().priceOf(undefined, f, undefined, w.clock.now());
    const before = w.onDemand.stats.getProductsCalls;

    // Act
    const fresh = w.pricer();
    w.clock.advance(3 * 3600);
    const prices = [];
    for (const f of fleetOf(6)) prices.push(await fresh.priceOf(undefined, f, undefined, w.clock.now()));

    // Assert: priced with the time the price was read, not when it was served from the cache
    expect(w.onDemand.stats.getProductsCalls).toBe(before);
    expect(prices.map((p) => p?.at)).toEqual(Array(6).fill('2026-11-21T10:00:00.000Z'));
  });

  it('keeps "no such product" for the day, as unknown', async () => {
    // Arrange
    const w = world();
    const pricer = w.pricer();
    const odd = { ...fleetOf(1)[0]!, instanceType: 'x9.huge' };

    // Act
    const first = await pricer.priceOf(undefined, odd, undefined, w.clock.now());
    w.clock.advance(3600);
    const again = await w.pricer().priceOf(undefined, odd, undefined, w.clock.now());

    // Assert
    expect(first).toBeUndefined();
    expect(again).toBeUndefined();
    expect(w.onDemand.stats.getProductsCalls).toBe(1);
  });

  it('keeps the price a run had when the Price List fails, and leaves the key alone for a while', async () => {
    // Arrange
    const w = world();
    const pricer = w.pricer();
    const facts = fleetOf(1)[0]!;
    const old = { hourlyUsd: 0.1, source: 'on-demand' as const, at: '2026-11-20T09:00:00.000Z' };
    fake.api.failNext('ServiceUnavailableException', 503);

    // Act
    const during = await pricer.priceOf(old, facts, undefined, w.clock.now());
    w.clock.advance(60);
    const soonAfter = await pricer.priceOf(old, facts, undefined, w.clock.now());
    w.clock.advance(RETRY_AFTER_MS / 1000);
    const later = await pricer.priceOf(old, facts, undefined, w.clock.now());

    // Assert
    expect(during).toBe(old);
    expect(soonAfter).toBe(old);
    expect(fake.api.requests).toHaveLength(2);
    expect(later).toMatchObject({ hourlyUsd: 0.107, source: 'on-demand' });
  });

  it('with PRICING=off asks nothing and warns of nothing: unknown, unless an HourlyCost tag prices the run', async () => {
    // Arrange
    const w = world();
    const warnings: string[] = [];
    const log = { ...silentLog, warn: (message: string) => void warnings.push(message) };
    const off = new InstancePricer({
      onDemand: w.onDemand,
      spot: new TablePriceSource(),
      cache: w.cache,
      lookups: false,
      log,
    });
    const [facts] = fleetOf(1);

    // Act: a sweep's worth of lookups, an hour apart, and one run with the tag.
    const prices = [];
    for (let i = 0; i < 3; i++) {
      prices.push(await off.priceOf(undefined, facts!, undefined, w.clock.now()));
      w.clock.advance(3600);
    }
    const tagged = await off.priceOf(undefined, facts!, 4.1, w.clock.now());

    // Assert
    expect(prices).toEqual([undefined, undefined, undefined]);
    expect(tagged).toMatchObject({ hourlyUsd: 4.1, source: 'tag' });
    expect(fake.api.requests).toHaveLength(0);
    expect(warnings).toEqual([]);
  });
});
