import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoInstanceStore } from '../../src/aws/dynamodb/instanceStore.js';
import { ConflictError, NotFoundError, StaleRunError } from '../../src/core/errors.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import type { Clock } from '../../src/ports/clock.js';
import type { InstanceStore } from '../../src/ports/instanceStore.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { createTable } from '../support/dynamoTable.js';
import { MemoryInstanceStore } from '../support/fakes.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, (clock: Clock) => Promise<InstanceStore>][] = [
  ['SQLite', async (clock) => new SqliteInstanceStore(openDatabase(':memory:'), { clock })],
  // The service tests' fake: it must keep the same contract, or they prove nothing.
  ['in-memory fake', async (clock) => new MemoryInstanceStore({ clock })],
  [
    'DynamoDB',
    async (clock) => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoInstanceStore(doc, tableName, { clock });
    },
  ],
];

const LAUNCH = '2026-11-20T08:00:00.000Z';

function record(over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    region: 'eu-west-1',
    instanceId: 'i-0123456789abcdef0',
    launchTime: LAUNCH,
    state: 'running',
    stateChangedAt: LAUNCH,
    name: 'web-1',
    instanceType: 't3.micro',
    availabilityZone: 'eu-west-1a',
    privateIp: '10.0.0.5',
    accountId: '123456789012',
    tags: { Monitor: 'true', Name: 'web-1', DnsRecords: '' },
    group: 'web',
    thresholdSeconds: 12 * 3600,
    renotifySeconds: 3600,
    extensionSeconds: 0,
    nextNagAt: '2026-11-20T20:00:00.000Z',
    nagCount: 0,
    warnings: ['Threshold "abc" is not a duration; using 12h'],
    chatRefs: [],
    version: 0,
    ...over,
  };
}

const slackRef = { platform: 'slack' as const, channelId: 'C1', messageId: '1700000000.000100' };
const teamsRef = {
  platform: 'teams' as const,
  channelId: '19:abc@thread.tacv2',
  messageId: 'act-1',
  serviceUrl: 'https://smba.example/',
  tenantId: 't-1',
};

describe.each(implementations)('InstanceStore contract: %s', (_name, make) => {
  let now: Date;
  let store: InstanceStore;
  const key = { region: 'eu-west-1', instanceId: 'i-0123456789abcdef0' };

  beforeEach(async () => {
    now = new Date('2026-11-20T12:00:00.000Z');
    store = await make(() => now);
  });

  it('returns undefined for an unknown instance', async () => {
    expect(await store.get(key)).toBeUndefined();
  });

  it('creates a record at version 1 and reads it back unchanged', async () => {
    // Act
    const written = await store.put(record(), { expectedVersion: 0 });

    // Assert
    expect(written.version).toBe(1);
    expect(await store.get(key)).toEqual(record({ version: 1 }));
  });

  it('bumps the version on every write and clears fields left out', async () => {
    // Arrange
    const v1 = await store.put(record({ snoozedUntil: '2026-11-20T15:00:00.000Z' }));

    // Act
    const { snoozedUntil: _dropped, ...rest } = v1;
    const v2 = await store.put({ ...rest, nagCount: 1 });

    // Assert
    expect(v2.version).toBe(2);
    const read = await store.get(key);
    expect(read?.nagCount).toBe(1);
    expect(read).not.toHaveProperty('snoozedUntil');
  });

  it('refuses a create when the record exists, and a write from a stale version', async () => {
    // Arrange
    await store.put(record(), { expectedVersion: 0 });
    await store.put(record({ nagCount: 1 }), { expectedVersion: 1 });

    // Act
    const [create, stale] = await Promise.allSettled([
      store.put(record(), { expectedVersion: 0 }),
      store.put(record({ nagCount: 9 }), { expectedVersion: 1 }),
    ]);

    // Assert
    expect(create).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect((await store.get(key))?.nagCount).toBe(1);
    expect((await store.put(record({ nagCount: 2 }), { expectedVersion: 2 })).version).toBe(3);
  });

  it('lets only the first of two writers holding the same version win', async () => {
    // Two writers both read version 1, then write in turn. Written in turn
    // rather than with Promise.all: moto's threaded server does not serialise
    // conditional writes the way DynamoDB does, which made a true race flaky
    // there while proving nothing more about the adapter's condition.
    // Arrange
    await store.put(record(), { expectedVersion: 0 });

    // Act
    const first = await store.put(record({ nagCount: 1 }), { expectedVersion: 1 });
    const second = await store.put(record({ nagCount: 2 }), { expectedVersion: 1 }).catch((e: unknown) => e);

    // Assert
    expect(first.version).toBe(2);
    expect(second).toBeInstanceOf(ConflictError);
    expect((await store.get(key))?.nagCount).toBe(1);
  });

  it('deletes, and deleting a missing record is fine', async () => {
    // Arrange
    await store.put(record());

    // Act
    await store.delete(key);
    await store.delete(key);

    // Assert
    expect(await store.get(key)).toBeUndefined();
  });

  it('lists with region, group and state filters', async () => {
    // Arrange
    await store.put(record({ instanceId: 'i-1', group: 'web' }));
    await store.put(record({ instanceId: 'i-2', group: 'db', state: 'stopped' }));
    await store.put(record({ instanceId: 'i-3', region: 'us-east-1', group: 'web' }));

    // Act
    const all = await store.list();
    const inEu = await store.list({ region: 'eu-west-1' });
    const web = await store.list({ group: 'web' });
    const running = await store.list({ states: ['running'] });
    const stoppedDb = await store.list({ group: 'db', states: ['stopped', 'stopping'] });

    // Assert
    const ids = (rs: InstanceRecord[]) => rs.map((r) => r.instanceId).sort();
    expect(ids(all)).toEqual(['i-1', 'i-2', 'i-3']);
    expect(ids(inEu)).toEqual(['i-1', 'i-2']);
    expect(ids(web)).toEqual(['i-1', 'i-3']);
    expect(ids(running)).toEqual(['i-1', 'i-3']);
    expect(ids(stoppedDb)).toEqual(['i-2']);
  });

  it('hides a tombstone once past expiresAt, and allows a fresh create then', async () => {
    // Arrange
    const tombstone = record({ state: 'terminated', expiresAt: '2026-11-20T13:00:00.000Z' });
    await store.put(tombstone, { expectedVersion: 0 });
    expect((await store.get(key))?.state).toBe('terminated');
    expect(await store.list()).toHaveLength(1);

    // Act
    now = new Date('2026-11-20T13:00:01.000Z');

    // Assert
    expect(await store.get(key)).toBeUndefined();
    expect(await store.list()).toHaveLength(0);
    const recreated = await store.put(record(), { expectedVersion: 0 });
    expect(recreated.version).toBe(1);
    expect((await store.get(key))?.expiresAt).toBeUndefined();
  });

  it('adds chat refs, replacing one for the same channel', async () => {
    // Arrange
    await store.put(record());

    // Act
    await store.addChatRef(key, LAUNCH, slackRef);
    await store.addChatRef(key, LAUNCH, teamsRef);
    await store.addChatRef(key, LAUNCH, { ...slackRef, messageId: '1700000000.000200' });

    // Assert
    const refs = (await store.get(key))?.chatRefs ?? [];
    expect(refs).toHaveLength(2);
    expect(refs).toContainEqual(teamsRef);
    expect(refs).toContainEqual({ ...slackRef, messageId: '1700000000.000200' });
  });

  it('keeps concurrently added refs from several channels', async () => {
    // Arrange: no ref yet, so the adders also race to start this run's refs.
    await store.put(record());
    const channels = Array.from({ length: 12 }, (_, i) => `C${i + 1}`);

    // Act
    await Promise.all([
      ...channels.map((channelId) => store.addChatRef(key, LAUNCH, { ...slackRef, channelId })),
      store.addChatRef(key, LAUNCH, teamsRef),
    ]);

    // Assert
    const refs = (await store.get(key))?.chatRefs ?? [];
    expect(
      refs
        .filter((r) => r.platform === 'slack')
        .map((r) => r.channelId)
        .sort(),
    ).toEqual([...channels].sort());
    expect(refs).toContainEqual(teamsRef);
    expect(refs).toHaveLength(channels.length + 1);
  });

  it('keeps concurrently added refs once the run already has some, and on a new run', async () => {
    // Arrange
    await store.put(record());
    await store.addChatRef(key, LAUNCH, slackRef);
    const channels = ['C2', 'C3', 'C4', 'C5', 'C6'];

    // Act
    await Promise.all(channels.map((channelId) => store.addChatRef(key, LAUNCH, { ...slackRef, channelId })));
    const nextRun = '2026-11-21T08:00:00.000Z';
    await store.put(record({ launchTime: nextRun }));
    await Promise.all(
      ['C7', 'C8', 'C9'].map((channelId) => store.addChatRef(key, nextRun, { ...slackRef, channelId })),
    );

    // Assert
    expect((await store.get(key))?.chatRefs.map((r) => r.channelId).sort()).toEqual(['C7', 'C8', 'C9']);
  });

  it('keeps chat refs through engine writes of the same run and drops them on a new run', async () => {
    // Arrange: the engine read the record before the chat layer added a ref.
    const seen = await store.put(record());
    await store.addChatRef(key, LAUNCH, slackRef);

    // Act
    const afterNag = await store.put({ ...seen, nagCount: 1 }, { expectedVersion: seen.version });

    // Assert
    expect(afterNag.chatRefs).toEqual([slackRef]);
    expect((await store.get(key))?.chatRefs).toEqual([slackRef]);

    // Act
    const nextRun = '2026-11-21T08:00:00.000Z';
    await store.put(record({ launchTime: nextRun, chatRefs: [slackRef] }));

    // Assert
    expect((await store.get(key))?.chatRefs).toEqual([]);
  });

  it('refuses a chat ref for another run or an unknown instance', async () => {
    // Arrange
    await store.put(record());

    // Act
    const [stale, unknown] = await Promise.allSettled([
      store.addChatRef(key, '2026-11-19T08:00:00.000Z', slackRef),
      store.addChatRef({ ...key, instanceId: 'i-missing' }, LAUNCH, slackRef),
    ]);

    // Assert
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(StaleRunError) });
    expect(unknown).toMatchObject({ status: 'rejected', reason: expect.any(NotFoundError) });
    expect((await store.get(key))?.chatRefs).toEqual([]);
  });
});

describe('DynamoInstanceStore item layout', () => {
  it('keeps records in the INSTANCE partition with a numeric TTL on tombstones', async () => {
    // Arrange
    await moto.reset();
    const { doc, tableName, client } = await createTable(moto);
    const store = new DynamoInstanceStore(doc, tableName, {
      clock: () => new Date('2026-11-20T12:00:00.000Z'),
    });

    // Act
    await store.put(record({ state: 'terminated', expiresAt: '2026-11-21T12:00:00.000Z' }));

    // Assert
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    expect(scan.Items).toHaveLength(1);
    expect(scan.Items![0]!.pk?.S).toBe('INSTANCE');
    expect(scan.Items![0]!.sk?.S).toBe('eu-west-1#i-0123456789abcdef0');
    expect(scan.Items![0]!.expiresAt?.N).toBe(String(Date.parse('2026-11-21T12:00:00.000Z') / 1000));
  });
});

describe('DynamoInstanceStore chat ref layout', () => {
  it('keeps each ref in its own attribute, so adding one is a single SET', async () => {
    // Arrange
    await moto.reset();
    const { doc, tableName, client } = await createTable(moto);
    const store = new DynamoInstanceStore(doc, tableName);
    await store.put(record());

    // Act
    await store.addChatRef(record(), LAUNCH, slackRef);
    await store.addChatRef(record(), LAUNCH, teamsRef);

    // Assert
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    const names = Object.keys(scan.Items![0]!).filter((k) => k.startsWith('chatRef#'));
    expect(names.sort()).toEqual(['chatRef#slack#C1', 'chatRef#teams#19:abc@thread.tacv2']);
    expect(scan.Items![0]!['chatRef#slack#C1']?.M?.launchTime?.S).toBe(LAUNCH);
  });

  it('still reads refs of an item written with the earlier single-list layout', async () => {
    // Arrange
    await moto.reset();
    const { doc, tableName } = await createTable(moto);
    const store = new DynamoInstanceStore(doc, tableName);
    await store.put(record());
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'INSTANCE', sk: 'eu-west-1#i-0123456789abcdef0' },
        UpdateExpression: 'SET chatRefs = :refs, chatRefsLaunchTime = :lt, chatRefsRev = :rev',
        ExpressionAttributeValues: { ':refs': [slackRef, teamsRef], ':lt': LAUNCH, ':rev': 2 },
      }),
    );

    // Act
    await store.addChatRef(record(), LAUNCH, { ...slackRef, messageId: '1700000000.000300' });

    // Assert
    const refs = (await store.get(record()))?.chatRefs ?? [];
    expect(refs).toHaveLength(2);
    expect(refs).toContainEqual(teamsRef);
    expect(refs).toContainEqual({ ...slackRef, messageId: '1700000000.000300' });
  });
});
