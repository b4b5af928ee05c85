import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoPriceCache } from '../../src/aws/dynamodb/priceCache.js';
import type { PriceCache } from '../../src/ports/priceCache.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqlitePriceCache } from '../../src/sqlite/priceCache.js';
import { createTable } from '../support/dynamoTable.js';
import { MemoryPriceCache } from '../support/fakePrices.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, () => Promise<PriceCache>][] = [
  ['SQLite', async () => new SqlitePriceCache(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoPriceCache(doc, tableName);
    },
  ],
  ['memory fake', async () => new MemoryPriceCache()],
];

const now = new Date('2026-11-21T10:00:00Z');
const at = (s: number) => new Date(now.getTime() + s * 1000);
const KEY = 'on-demand|eu-west-1|m5.large|Linux|No License required|NA|Shared';

describe.each(implementations)('PriceCache contract: %s', (_name, make) => {
  let cache: PriceCache;
  beforeEach(async () => {
    cache = await make();
  });

  it('returns a stored price until it expires, and nothing from then on', async () => {
    // Arrange
    await cache.put({
      key: KEY,
      hourlyUsd: 0.107,
      fetchedAt: now.toISOString(),
      expiresAt: at(86_400).toISOString(),
    });

    // Act
    const during = await cache.get(KEY, at(86_399));
    const atExpiry = await cache.get(KEY, at(86_400));

    // Assert
    expect(during).toEqual({
      key: KEY,
      hourlyUsd: 0.107,
      fetchedAt: now.toISOString(),
      expiresAt: at(86_400).toISOString(),
    });
    expect(atExpiry).toBeUndefined();
    expect(await cache.get('on-demand|other', now)).toBeUndefined();
  });

  it('keeps "no such product" as an entry without a price, never as 0', async () => {
    // Act
    await cache.put({ key: KEY, fetchedAt: now.toISOString(), expiresAt: at(3600).toISOString() });
    const read = await cache.get(KEY, at(60));

    // Assert
    expect(read).toBeDefined();
    expect(read).not.toHaveProperty('hourlyUsd');
  });

  it('replaces an entry written again under the same key', async () => {
    // Arrange
    await cache.put({
      key: KEY,
      hourlyUsd: 0.1,
      fetchedAt: now.toISOString(),
      expiresAt: at(60).toISOString(),
    });

    // Act
    await cache.put({
      key: KEY,
      hourlyUsd: 0.2,
      fetchedAt: at(120).toISOString(),
      expiresAt: at(86_520).toISOString(),
    });

    // Assert
    expect(await cache.get(KEY, at(200))).toMatchObject({ hourlyUsd: 0.2, fetchedAt: at(120).toISOString() });
  });

  it('gives one claim on a key while it holds, and another once it has run out', async () => {
    // Act
    const first = await cache.claim(KEY, now, at(60));
    const second = await cache.claim(KEY, at(1), at(61));
    const otherKey = await cache.claim('on-demand|other', at(1), at(61));
    const afterExpiry = await cache.claim(KEY, at(60), at(120));

    // Assert
    expect([first, second, otherKey, afterExpiry]).toEqual([true, false, true, true]);
    expect(await cache.get(KEY, at(60))).toBeUndefined();
  });

  it('gives no claim on a key with a live entry, and ends a claim when the entry is written', async () => {
    // Arrange: one process claims and writes the price, which lives 30 s here.
    await cache.claim(KEY, now, at(60));
    await cache.put({
      key: KEY,
      hourlyUsd: 0.1,
      fetchedAt: now.toISOString(),
      expiresAt: at(30).toISOString(),
    });

    // Act
    const whileLive = await cache.claim(KEY, at(10), at(70));
    const afterEntryExpired = await cache.claim(KEY, at(30), at(90));

    // Assert: the write ended the claim, so the expired entry can be fetched again before the claim's 60 s.
    expect(whileLive).toBe(false);
    expect(afterEntryExpired).toBe(true);
    expect(await cache.get(KEY, at(10))).toMatchObject({ hourlyUsd: 0.1 });
  });
});
