import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '../../src/aws/dynamodb/idempotencyStore.js';
import type { IdempotencyStore } from '../../src/ports/idempotencyStore.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../src/sqlite/idempotencyStore.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, () => Promise<IdempotencyStore>][] = [
  ['SQLite', async () => new SqliteIdempotencyStore(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoIdempotencyStore(doc, tableName);
    },
  ],
];

const now = new Date('2026-11-21T10:00:00Z');
const later = (s: number) => new Date(now.getTime() + s * 1000);

describe.each(implementations)('IdempotencyStore contract: %s', (_name, make) => {
  let store: IdempotencyStore;
  beforeEach(async () => {
    store = await make();
  });

  it('lets exactly one claimant win', async () => {
    // Act
    const first = await store.claim('sns-1', later(60), now);
    const second = await store.claim('sns-1', later(60), now);

    // Assert
    expect(first).toEqual({ claimed: true });
    expect(second).toMatchObject({ claimed: false, status: 'in-progress' });
  });

  it('keeps completed keys with their result until they expire', async () => {
    // Arrange
    await store.claim('stop#1', later(60), now);
    await store.complete('stop#1', later(3600), '{"by":"U1"}');

    // Act
    const again = await store.claim('stop#1', later(60), later(120));
    const read = await store.get('stop#1', later(120));
    const afterExpiry = await store.claim('stop#1', later(7260), later(7200));

    // Assert
    expect(again).toEqual({ claimed: false, status: 'completed', result: '{"by":"U1"}' });
    expect(read).toMatchObject({ status: 'completed', result: '{"by":"U1"}' });
    expect(afterExpiry).toEqual({ claimed: true });
  });

  it('frees a released or lapsed claim for a retry but never undoes a completion', async () => {
    // Arrange
    await store.claim('a', later(60), now);
    await store.release('a');
    await store.claim('b', later(60), now);
    await store.claim('c', later(60), now);
    await store.complete('c', later(3600));
    await store.release('c');

    // Act / Assert
    expect(await store.claim('a', later(60), now)).toEqual({ claimed: true });
    expect(await store.claim('b', later(200), later(61))).toEqual({ claimed: true });
    expect(await store.claim('c', later(60), now)).toMatchObject({ claimed: false, status: 'completed' });
    expect(await store.get('missing', now)).toBeUndefined();
  });

  it('judges expiry by the caller clock, so entries written on a past clock stay deduplicated', async () => {
    // Arrange: a clock years behind the wall clock (simulations, replays)
    const past = new Date('2020-01-01T00:00:00Z');
    const pastLater = (s: number) => new Date(past.getTime() + s * 1000);
    await store.claim('old-1', pastLater(60), past);
    await store.complete('old-1', pastLater(3600));

    // Act: another claim on the same clock triggers any housekeeping
    await store.claim('old-2', pastLater(60), pastLater(10));
    const again = await store.claim('old-1', pastLater(60), pastLater(20));

    // Assert
    expect(again).toMatchObject({ claimed: false, status: 'completed' });
  });
});
