import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoCleanupOutcomeStore } from '../../src/aws/dynamodb/dynamoCleanupOutcomeStore.js';
import type { CleanupOutcome, CleanupOutcomeStore } from '../../src/ports/cleanupOutcomeStore.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteCleanupOutcomeStore } from '../../src/sqlite/sqliteCleanupOutcomeStore.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
beforeEach(() => moto.reset());

const outcome = (overrides: Partial<CleanupOutcome> = {}): CleanupOutcome => ({
  region: 'us-east-1',
  instanceId: 'i-0abc1234def567890',
  launchTime: '2026-11-20T08:00:00.000Z',
  name: 'web-1',
  group: 'dev',
  at: '2026-11-20T18:00:05.000Z',
  ok: false,
  outcomes: [{ hook: 'webhook', ok: false, changed: false, summary: 'webhook failed: answered HTTP 500' }],
  summary: 'i-0abc1234def567890 (web-1) terminated · webhook failed: answered HTTP 500',
  ...overrides,
});

describe.each([
  [
    'SQLite',
    async (): Promise<CleanupOutcomeStore> => new SqliteCleanupOutcomeStore(openDatabase(':memory:')),
  ],
  [
    'DynamoDB',
    async (): Promise<CleanupOutcomeStore> => {
      const { doc, tableName } = await createTable(moto);
      return new DynamoCleanupOutcomeStore(doc, tableName);
    },
  ],
])('CleanupOutcomeStore contract: %s', (_name, make) => {
  it('stores an outcome per run and replaces it on a re-run', async () => {
    const store = await make();
    await store.put(outcome());

    await store.put(outcome({ ok: true, outcomes: [], summary: 'ok now', at: '2026-11-20T18:10:00.000Z' }));

    expect(await store.get(outcome())).toMatchObject({ ok: true, summary: 'ok now' });
  });

  it('keeps runs of the same instance apart and returns undefined for unknown runs', async () => {
    const store = await make();
    await store.put(outcome());

    expect(await store.get({ ...outcome(), launchTime: '2026-11-21T08:00:00.000Z' })).toBeUndefined();
    expect(await store.get(outcome())).toEqual(outcome());
  });
});
