import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRunHistory } from '../../src/aws/dynamodb/runHistory.js';
import type { RunHistoryEntry } from '../../src/core/runHistory.js';
import type { RunHistory } from '../../src/ports/runHistory.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteRunHistory } from '../../src/sqlite/runHistory.js';
import { createTable } from '../support/dynamoTable.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { MemoryRunHistory } from '../support/memoryRunHistory.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);

const implementations: [string, () => Promise<RunHistory>][] = [
  ['SQLite', async () => new SqliteRunHistory(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoRunHistory(doc, tableName);
    },
  ],
  ['in-memory fake', async () => new MemoryRunHistory()],
];

const run = (stoppedAt: string, over: Partial<RunHistoryEntry> = {}): RunHistoryEntry => ({
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: new Date(Date.parse(stoppedAt) - 14 * 3_600_000).toISOString(),
  stoppedAt,
  endedBy: 'outside',
  group: 'render',
  thresholdSeconds: 12 * 3600,
  runtimeSeconds: 14 * 3600,
  secondsBeyondThreshold: 2 * 3600,
  hourlyUsd: 4.1,
  ...over,
});

const range = (since: string, until: string, groups?: string[]) => ({
  since: new Date(since),
  until: new Date(until),
  ...(groups ? { groups } : {}),
});

describe.each(implementations)('RunHistory contract: %s', (_name, make) => {
  let history: RunHistory;
  beforeEach(async () => {
    history = await make();
  });

  it('reads nothing when empty', async () => {
    expect(await history.between(range('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'))).toEqual([]);
  });

  it('keeps every field of a run, an unknown price as null', async () => {
    // Arrange
    const stopped = run('2026-11-20T10:00:00.000Z', {
      endedBy: 'actor',
      actor: { platform: 'slack', id: 'U123', name: 'ana' },
      name: 'render-1',
      owner: 'ana@example.com',
    });
    const consented = run('2026-11-20T11:00:00.000Z', {
      instanceId: 'i-0000000000000000b',
      endedBy: 'consented',
      actor: { platform: 'teams', id: 'aad-1' },
      consent: {
        kind: 'at',
        by: { source: 'tag', detail: 'AutoStop=at:18:00' },
        givenAt: '2026-11-20T08:00:00.000Z',
      },
      hourlyUsd: null,
    });

    // Act
    await history.record(consented);
    await history.record(stopped);

    // Assert
    expect(await history.between(range('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'))).toEqual([
      stopped,
      consented,
    ]);
  });

  it('reads the runs that stopped in [since, until), across days, oldest first', async () => {
    // Arrange
    const at = [
      '2026-11-16T23:59:59.999Z',
      '2026-11-17T00:00:00.000Z',
      '2026-11-19T12:00:00.000Z',
      '2026-11-23T23:59:59.000Z',
      '2026-11-24T00:00:00.000Z',
    ];
    for (const [i, stoppedAt] of at.entries()) {
      await history.record(run(stoppedAt, { instanceId: `i-${String(i).padStart(17, '0')}` }));
    }

    // Act
    const week = await history.between(range('2026-11-17T00:00:00Z', '2026-11-24T00:00:00Z'));

    // Assert
    expect(week.map((e) => e.stoppedAt)).toEqual(at.slice(1, 4));
  });

  it('reads only the groups asked for', async () => {
    // Arrange
    await history.record(run('2026-11-20T10:00:00.000Z', { group: 'render' }));
    await history.record(
      run('2026-11-20T11:00:00.000Z', { group: 'web', instanceId: 'i-0000000000000000c' }),
    );
    await history.record(run('2026-11-20T12:00:00.000Z', { group: 'db', instanceId: 'i-0000000000000000d' }));

    // Act
    const some = await history.between(range('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', ['web', 'db']));
    const none = await history.between(range('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', []));

    // Assert
    expect(some.map((e) => e.group)).toEqual(['web', 'db']);
    expect(none).toEqual([]);
  });

  it('keeps the first entry of a run when it is recorded again', async () => {
    // Arrange
    const first = run('2026-11-20T10:00:00.000Z', {
      endedBy: 'actor',
      actor: { platform: 'cli', id: 'ana' },
    });
    await history.record(first);

    // Act: the termination that follows the stop carries the same run and stop.
    await history.record({ ...first, endedBy: 'terminated', actor: undefined });

    // Assert
    expect(await history.between(range('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'))).toEqual([first]);
  });

  it('keeps runs of the same instance apart', async () => {
    // Arrange
    const early = run('2026-11-20T10:00:00.000Z', { launchTime: '2026-11-20T08:00:00.000Z' });
    const late = run('2026-11-20T18:00:00.000Z', { launchTime: '2026-11-20T12:00:00.000Z' });

    // Act
    await history.record(late);
    await history.record(early);

    // Assert
    expect(await history.between(range('2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'))).toEqual([
      early,
      late,
    ]);
  });
});

describe('run history retention', () => {
  it('SQLite forgets runs older than the retention as new ones arrive', async () => {
    // Arrange
    const history = new SqliteRunHistory(openDatabase(':memory:'), { retentionDays: 30 });
    await history.record(run('2026-10-01T00:00:00.000Z', { instanceId: 'i-0000000000000000a' }));
    await history.record(run('2026-11-01T00:00:00.000Z', { instanceId: 'i-0000000000000000b' }));

    // Act
    await history.record(run('2026-11-20T00:00:00.000Z'));

    // Assert
    const kept = await history.between(range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'));
    expect(kept.map((e) => e.instanceId)).toEqual(['i-0000000000000000b', 'i-0123456789abcdef0']);
  });

  it('the fake forgets them the same way', async () => {
    const history = new MemoryRunHistory({ retentionDays: 30 });
    await history.record(run('2026-10-01T00:00:00.000Z', { instanceId: 'i-0000000000000000a' }));

    await history.record(run('2026-11-20T00:00:00.000Z'));

    const kept = await history.between(range('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'));
    expect(kept.map((e) => e.instanceId)).toEqual(['i-0123456789abcdef0']);
  });

  it('DynamoDB sets the TTL attribute the retention after the stop (90 days by default)', async () => {
    // Arrange
    await moto.reset();
    const { doc, tableName, client } = await createTable(moto);

    // Act
    await new DynamoRunHistory(doc, tableName).record(run('2026-11-20T00:00:00.000Z'));
    await new DynamoRunHistory(doc, tableName, { retentionDays: 7 }).record(
      run('2026-11-21T00:00:00.000Z', { instanceId: 'i-0000000000000000e' }),
    );

    // Assert
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    const ttl = (scan.Items ?? []).map((i) => Number(i.expiresAt?.N)).sort((a, b) => a - b);
    expect(ttl).toEqual([
      Date.parse('2026-11-21T00:00:00.000Z') / 1000 + 7 * 86_400,
      Date.parse('2026-11-20T00:00:00.000Z') / 1000 + 90 * 86_400,
    ]);
  });
});

describe('DynamoDB run history reads', () => {
  beforeEach(() => proxy.reset());

  it('reads a 90-day range with one Query per day and never scans', async () => {
    // Arrange
    await moto.reset();
    await createTable(moto);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(proxy.get().clientConfig));
    const history = new DynamoRunHistory(doc, 'lightsout');
    await history.record(run('2026-09-01T10:00:00.000Z', { instanceId: 'i-0000000000000000a' }));
    await history.record(run('2026-11-29T10:00:00.000Z', { instanceId: 'i-0000000000000000b' }));
    proxy.get().resetCounters();

    // Act
    const all = await history.between(range('2026-09-01T00:00:00Z', '2026-11-30T00:00:00Z'));

    // Assert
    expect(all.map((e) => e.instanceId)).toEqual(['i-0000000000000000a', 'i-0000000000000000b']);
    expect(proxy.get().count('Query').forwarded).toBe(90);
    expect(proxy.get().count('Scan').received).toBe(0);
  });
});
