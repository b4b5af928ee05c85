import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoInstanceStore } from '../../src/aws/dynamodb/instanceStore.js';
import { DynamoOutbox } from '../../src/aws/dynamodb/outbox.js';
import { ConflictError } from '../../src/core/errors.js';
import type { DomainEvent } from '../../src/core/events.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import type { Clock } from '../../src/ports/clock.js';
import type { InstanceStore } from '../../src/ports/instanceStore.js';
import type { Outbox } from '../../src/ports/outbox.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteOutbox } from '../../src/sqlite/outbox.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

type Pair = { outbox: Outbox; store: InstanceStore };

const implementations: [string, (clock: Clock) => Promise<Pair>][] = [
  [
    'SQLite',
    async (clock) => {
      const db = openDatabase(':memory:');
      return { outbox: new SqliteOutbox(db, { clock }), store: new SqliteInstanceStore(db, { clock }) };
    },
  ],
  [
    'DynamoDB',
    async (clock) => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return {
        outbox: new DynamoOutbox(doc, tableName, { clock }),
        store: new DynamoInstanceStore(doc, tableName, { clock }),
      };
    },
  ],
];

const LAUNCH = '2026-11-20T08:00:00.000Z';

function record(instanceId = 'i-0123456789abcdef0', over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    region: 'eu-west-1',
    instanceId,
    launchTime: LAUNCH,
    state: 'running',
    stateChangedAt: LAUNCH,
    tags: { Monitor: 'true' },
    group: 'web',
    thresholdSeconds: 12 * 3600,
    renotifySeconds: 3600,
    extensionSeconds: 0,
    nagCount: 0,
    warnings: [],
    chatRefs: [],
    version: 0,
    ...over,
  };
}

const stopped = (r: InstanceRecord, at: string): DomainEvent => ({
  type: 'instance.stopped',
  record: r,
  runtimeSeconds: 3600,
  at,
});

describe.each(implementations)('Outbox contract: %s', (_name, make) => {
  let now: Date;
  let outbox: Outbox;
  let store: InstanceStore;

  beforeEach(async () => {
    now = new Date('2026-11-20T12:00:00.000Z');
    ({ outbox, store } = await make(() => now));
  });

  it('commits an event with the record write that caused it', async () => {
    // Arrange
    const running = await store.put(record(), { expectedVersion: 0 });

    // Act
    const saved = await store.put(
      { ...running, state: 'stopped' },
      { expectedVersion: 1, events: [stopped(running, '2026-11-20T11:59:00.000Z')] },
    );

    // Assert
    expect(saved).toMatchObject({ state: 'stopped', version: 2 });
    const [entry, ...rest] = await outbox.pending();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      status: 'pending',
      attempts: 0,
      createdAt: now.toISOString(),
      nextAttemptAt: now.toISOString(),
      event: {
        type: 'instance.stopped',
        at: '2026-11-20T11:59:00.000Z',
        record: { instanceId: running.instanceId },
      },
    });
  });

  it('writes no event when the record write loses its condition', async () => {
    // Arrange
    await store.put(record(), { expectedVersion: 0 });

    // Act
    const write = store.put(record(undefined, { state: 'stopped' }), {
      expectedVersion: 5,
      events: [stopped(record(), now.toISOString())],
    });

    // Assert
    await expect(write).rejects.toBeInstanceOf(ConflictError);
    expect(await outbox.pending()).toEqual([]);
    expect((await store.get(record()))?.state).toBe('running');
  });

  it('lists pending entries oldest first and forgets delivered ones', async () => {
    // Arrange
    const [first] = await outbox.add([stopped(record('i-01'), 'a')]);
    now = new Date(now.getTime() + 1000);
    const [second] = await outbox.add([stopped(record('i-02'), 'b')]);

    // Act
    const before = (await outbox.pending()).map((e) => e.id);
    await outbox.delivered(first!.id);
    await outbox.delivered('never-existed');

    // Assert
    expect(before).toEqual([first!.id, second!.id]);
    expect((await outbox.pending()).map((e) => e.id)).toEqual([second!.id]);
    expect(await outbox.pending(0)).toEqual([]);
  });

  it('counts failed attempts and lists entries given up on, apart from pending ones', async () => {
    // Arrange
    const [a, b] = await outbox.add([stopped(record('i-01'), 'a'), stopped(record('i-02'), 'b')]);

    // Act
    await outbox.retryLater(a!.id, {
      attempts: 1,
      nextAttemptAt: '2026-11-20T12:00:15.000Z',
      error: 'slack 500',
    });
    await outbox.giveUp(b!.id, { attempts: 10, error: 'slack timeout' });

    // Assert
    expect(await outbox.pending()).toEqual([
      expect.objectContaining({
        id: a!.id,
        attempts: 1,
        nextAttemptAt: '2026-11-20T12:00:15.000Z',
        lastError: 'slack 500',
      }),
    ]);
    expect(await outbox.failed()).toEqual([
      expect.objectContaining({ id: b!.id, status: 'failed', attempts: 10, lastError: 'slack timeout' }),
    ]);
    expect(await outbox.stats()).toEqual({
      depth: 1,
      failed: 1,
      oldestPending: {
        id: a!.id,
        type: 'instance.stopped',
        instance: 'eu-west-1/i-01',
        createdAt: now.toISOString(),
        attempts: 1,
        lastError: 'slack 500',
      },
    });
  });

  it('reports an empty outbox as depth 0 with no oldest entry', async () => {
    expect(await outbox.stats()).toEqual({ depth: 0, failed: 0 });
  });

  it('does not bring back an entry delivered while a retry was being recorded', async () => {
    // Arrange
    const [entry] = await outbox.add([stopped(record(), 'a')]);
    await outbox.delivered(entry!.id);

    // Act
    await outbox.retryLater(entry!.id, { attempts: 1, nextAttemptAt: now.toISOString(), error: 'late' });

    // Assert
    expect(await outbox.pending()).toEqual([]);
    expect(await outbox.failed()).toEqual([]);
  });
});
