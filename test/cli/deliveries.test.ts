/**
 * `lightsout deliveries [--failed]` over both stores: SQLite (the single
 * process's file) and DynamoDB on moto (TABLE_NAME).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoOutbox } from '../../src/aws/dynamodb/outbox.js';
import { runCli } from '../../src/cli/program.js';
import type { DomainEvent } from '../../src/core/events.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import type { Outbox } from '../../src/ports/outbox.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteOutbox } from '../../src/sqlite/outbox.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const sink = { write: (text: string) => void out.push(text) };
  const code = await runCli(args, { env, stdout: sink, stderr: sink });
  return { code, stdout: out.join('') };
}

const record = (instanceId: string) =>
  ({
    region: 'us-east-1',
    instanceId,
    launchTime: '2026-11-20T08:00:00.000Z',
    group: 'web',
  }) as InstanceRecord;
const stopped = (instanceId: string): DomainEvent => ({
  type: 'instance.stopped',
  record: record(instanceId),
  runtimeSeconds: 60,
  at: '2026-11-20T09:00:00.000Z',
});

describe('lightsout deliveries', () => {
  const moto = useMoto();
  beforeEach(() => moto.reset());

  const stores: [string, () => Promise<{ outbox: Outbox; env: Record<string, string> }>][] = [
    [
      'SQLite',
      async () => {
        const path = join(mkdtempSync(join(tmpdir(), 'lightsout-deliveries-')), 'lightsout.db');
        return { outbox: new SqliteOutbox(openDatabase(path)), env: { REGIONS: 'us-east-1', DB_PATH: path } };
      },
    ],
    [
      'DynamoDB',
      async () => {
        const { doc, tableName } = await createTable(moto);
        return {
          outbox: new DynamoOutbox(doc, tableName),
          env: {
            REGIONS: 'us-east-1',
            TABLE_NAME: tableName,
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
          },
        };
      },
    ],
  ];

  it.each(stores)('lists failed deliveries with their last error (%s)', async (_name, make) => {
    // Arrange
    const { outbox, env } = await make();
    const [failed, waiting] = await outbox.add([stopped('i-0aaa'), stopped('i-0bbb')]);
    await outbox.giveUp(failed!.id, { attempts: 10, error: 'Slack: internal_error' });
    await outbox.retryLater(waiting!.id, {
      attempts: 1,
      nextAttemptAt: '2026-11-20T09:01:00.000Z',
      error: 'timeout',
    });

    // Act
    const table = await cli(['deliveries', '--failed'], env);
    const json = await cli(['deliveries', '--failed', '--json'], env);
    const all = await cli(['deliveries', '--json'], env);

    // Assert
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /instance\.stopped\s+us-east-1\/i-0aaa\s+failed\s+10\s+Slack: internal_error/,
    );
    expect(table.stdout).not.toContain('i-0bbb');
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ instance: 'us-east-1/i-0aaa', status: 'failed', attempts: 10 }),
    ]);
    expect(
      JSON.parse(all.stdout).map((e: { instance: string; status: string }) => [e.instance, e.status]),
    ).toEqual([
      ['us-east-1/i-0bbb', 'pending'],
      ['us-east-1/i-0aaa', 'failed'],
    ]);
  });

  it('says so when nothing failed', async () => {
    const { env } = await stores[0]![1]();

    const out = await cli(['deliveries', '--failed'], env);

    expect(out).toEqual({ code: 0, stdout: 'No failed deliveries.\n' });
  });
});

describe('lightsout subscriptions --broken', () => {
  it('lists only the subscriptions whose channel refused a post for good, with the reason', async () => {
    // Arrange
    const path = join(mkdtempSync(join(tmpdir(), 'lightsout-subs-')), 'lightsout.db');
    const store = new SqliteSubscriptionStore(openDatabase(path));
    const at = '2026-11-20T09:00:00.000Z';
    await store.subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: 'U1',
      createdAt: at,
    });
    await store.subscribe({
      group: 'db',
      channel: { platform: 'slack', channelId: 'C0DB' },
      createdBy: 'U1',
      createdAt: at,
    });
    await store.markBroken(
      { platform: 'slack', channelId: 'C0WEB' },
      { reason: 'is_archived', since: '2026-11-20T10:00:00.000Z' },
    );
    const env = { REGIONS: 'us-east-1', DB_PATH: path };

    // Act
    const broken = await cli(['subscriptions', '--broken'], env);
    const all = await cli(['subscriptions', '--json'], env);

    // Assert
    expect(broken.code).toBe(0);
    expect(broken.stdout).toMatch(/web\s+slack\s+C0WEB\s+2026-11-20\s+channel\s+is_archived/);
    expect(broken.stdout).not.toContain('C0DB');
    expect(JSON.parse(all.stdout)).toHaveLength(2);
  });
});
