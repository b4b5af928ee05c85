/**
 * `lightsout subscriptions set`: routing settings of existing subscriptions,
 * in both stores the CLI reads (the single process's SQLite file, and
 * DynamoDB on moto via TABLE_NAME, which is how the AWS runtime is set up).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoSubscriptionStore } from '../../src/aws/dynamodb/subscriptionStore.js';
import { runCli } from '../../src/cli/program.js';
import type { SubscriptionStore } from '../../src/ports/subscriptionStore.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    env,
    stdout: { write: (t: string) => void out.push(t) },
    stderr: { write: (t: string) => void err.push(t) },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const moto = useMoto();
beforeEach(() => moto.reset());

const stores: [string, () => Promise<{ store: SubscriptionStore; env: Record<string, string> }>][] = [
  [
    'SQLite',
    async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'lightsout-route-')), 'lightsout.db');
      return {
        store: new SqliteSubscriptionStore(openDatabase(path)),
        env: { REGIONS: 'us-east-1', DB_PATH: path },
      };
    },
  ],
  [
    'DynamoDB',
    async () => {
      const { doc, tableName } = await createTable(moto);
      return {
        store: new DynamoSubscriptionStore(doc, tableName),
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

describe.each(stores)('lightsout subscriptions set (%s)', (_name, make) => {
  it('routes a followed group to owners with escalation, on one channel or all, and shows it', async () => {
    // Arrange
    const { store, env } = await make();
    const at = '2026-11-20T09:00:00.000Z';
    await store.subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: 'U1',
      createdAt: at,
    });
    await store.subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0OPS' },
      createdBy: 'U1',
      createdAt: at,
    });

    // Act
    const all = await cli(
      ['subscriptions', 'set', 'web', '--route', 'owner-then-channel', '--escalate-after', '3'],
      env,
    );
    const one = await cli(
      [
        'subscriptions',
        'set',
        'web',
        '--channel',
        'slack:C0OPS',
        '--escalate-to',
        '@here,S0OPS001',
        '--broadcast-every',
        '0',
      ],
      env,
    );
    const listed = await cli(['subscriptions', '--json'], env);

    // Assert
    expect([all.code, one.code]).toEqual([0, 0]);
    expect(one.stdout).toBe(
      'web → slack:C0OPS: owner-then-channel, escalate after 3, mention @here, S0OPS001, no broadcast\n',
    );
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(rows.find((r) => r.channelId === 'C0WEB')).toMatchObject({
      route: 'owner-then-channel',
      escalateAfter: 3,
    });
    expect(rows.find((r) => r.channelId === 'C0WEB')).not.toHaveProperty('escalateTo');
    expect(rows.find((r) => r.channelId === 'C0OPS')).toMatchObject({
      route: 'owner-then-channel',
      escalateTo: [{ kind: 'here' }, { kind: 'user-group', id: 'S0OPS001' }],
      broadcastEvery: 0,
    });
  });

  it('refuses bad values and groups nobody follows with exit 2, saying what works, and changes nothing', async () => {
    // Arrange
    const { store, env } = await make();
    await store.subscribe({
      group: 'web',
      channel: { platform: 'teams', channelId: '19:web@thread.tacv2' },
      createdBy: 'teams:aad',
      createdAt: '2026-11-20T09:00:00.000Z',
    });

    // Act
    const badRoute = await cli(['subscriptions', 'set', 'web', '--route', 'boss'], env);
    const slackTarget = await cli(['subscriptions', 'set', 'web', '--escalate-to', '@here'], env);
    const nobody = await cli(['subscriptions', 'set', 'db', '--route', 'owner'], env);

    // Assert
    expect([badRoute.code, slackTarget.code, nobody.code]).toEqual([2, 2, 2]);
    expect(badRoute.stderr).toContain(
      '--route "boss" is not a route; use channel, owner, owner-then-channel',
    );
    expect(slackTarget.stderr).toContain('Teams can mention tags (tag:<id>) and people');
    expect(nobody.stderr).toContain('no channel follows group db');
    expect((await store.forGroup('web'))[0]).not.toHaveProperty('route');
  });
});
