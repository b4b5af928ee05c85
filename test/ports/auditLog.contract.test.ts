import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../src/aws/dynamodb/auditLog.js';
import type { AuditEntry, AuditLog } from '../../src/ports/auditLog.js';
import { SqliteAuditLog } from '../../src/sqlite/auditLog.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, () => Promise<AuditLog>][] = [
  ['SQLite', async () => new SqliteAuditLog(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoAuditLog(doc, tableName);
    },
  ],
];

const entry = (at: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  at,
  actor: 'slack:U123',
  action: 'stop',
  target: 'eu-west-1/i-0123456789abcdef0',
  result: 'ok',
  ...over,
});

describe.each(implementations)('AuditLog contract: %s', (_name, make) => {
  let log: AuditLog;
  beforeEach(async () => {
    log = await make();
  });

  it('returns nothing when empty', async () => {
    expect(await log.recent(10)).toEqual([]);
  });

  it('returns the most recent entries first, up to the limit', async () => {
    // Arrange
    await log.record(entry('2026-11-20T10:00:00.000Z'));
    await log.record(entry('2026-11-20T12:00:00.000Z', { action: 'snooze', detail: 'until 15:00' }));
    await log.record(entry('2026-11-20T11:00:00.000Z', { actor: 'teams:aad-1', result: 'refused' }));

    // Act
    const two = await log.recent(2);
    const all = await log.recent(50);

    // Assert
    expect(two).toEqual([
      entry('2026-11-20T12:00:00.000Z', { action: 'snooze', detail: 'until 15:00' }),
      entry('2026-11-20T11:00:00.000Z', { actor: 'teams:aad-1', result: 'refused' }),
    ]);
    expect(all.map((e) => e.at)).toEqual([
      '2026-11-20T12:00:00.000Z',
      '2026-11-20T11:00:00.000Z',
      '2026-11-20T10:00:00.000Z',
    ]);
  });

  it('keeps two entries with the same timestamp', async () => {
    // Act
    await log.record(entry('2026-11-20T10:00:00.000Z', { action: 'stop' }));
    await log.record(entry('2026-11-20T10:00:00.000Z', { action: 'start' }));

    // Assert
    expect((await log.recent(10)).map((e) => e.action).sort()).toEqual(['start', 'stop']);
  });
});

describe('audit retention', () => {
  it('SQLite forgets entries older than the retention', async () => {
    // Arrange
    const log = new SqliteAuditLog(openDatabase(':memory:'), { retentionDays: 400 });
    await log.record(entry('2025-01-01T00:00:00.000Z'));

    // Act
    await log.record(entry('2026-11-20T00:00:00.000Z'));

    // Assert
    expect((await log.recent(10)).map((e) => e.at)).toEqual(['2026-11-20T00:00:00.000Z']);
  });

  it('DynamoDB sets the TTL attribute 400 days after the entry', async () => {
    // Arrange
    await moto.reset();
    const { doc, tableName, client } = await createTable(moto);
    const log = new DynamoAuditLog(doc, tableName);

    // Act
    await log.record(entry('2026-11-20T00:00:00.000Z'));

    // Assert
    const scan = await client.send(new ScanCommand({ TableName: tableName }));
    const expected = Date.parse('2026-11-20T00:00:00.000Z') / 1000 + 400 * 86_400;
    expect(scan.Items?.[0]?.expiresAt?.N).toBe(String(expected));
  });
});
