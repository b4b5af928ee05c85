import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDigestSettingsStore } from '../../src/aws/dynamodb/digestSettingsStore.js';
import type { DigestSettingsStore } from '../../src/ports/digestSettings.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteDigestSettingsStore } from '../../src/sqlite/digestSettingsStore.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, () => Promise<DigestSettingsStore>][] = [
  ['SQLite', async () => new SqliteDigestSettingsStore(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoDigestSettingsStore(doc, tableName);
    },
  ],
];

const web = { platform: 'slack' as const, channelId: 'C0WEB' };
const ops = { platform: 'teams' as const, channelId: '19:ops@thread.tacv2' };

describe.each(implementations)('DigestSettingsStore contract: %s', (_name, make) => {
  let store: DigestSettingsStore;
  beforeEach(async () => {
    store = await make();
  });

  it('knows nothing of a channel that never chose', async () => {
    expect(await store.get(web)).toBeUndefined();
  });

  it('keeps cadence and time zone per channel, and the time zone when a later change names none', async () => {
    // Act
    await store.set({
      channel: web,
      cadence: 'weekly',
      timeZone: 'Europe/Berlin',
      updatedBy: 'slack:U1',
      updatedAt: '2026-11-20T10:00:00.000Z',
    });
    const off = await store.set({
      channel: web,
      cadence: 'off',
      updatedBy: 'slack:U2',
      updatedAt: '2026-11-21T10:00:00.000Z',
    });
    await store.set({
      channel: ops,
      cadence: 'weekly',
      updatedBy: 'teams:aad',
      updatedAt: '2026-11-21T11:00:00.000Z',
    });

    // Assert
    expect(off).toEqual({
      channel: web,
      cadence: 'off',
      timeZone: 'Europe/Berlin',
      updatedBy: 'slack:U2',
      updatedAt: '2026-11-21T10:00:00.000Z',
    });
    expect(await store.get(ops)).toMatchObject({ channel: ops, cadence: 'weekly' });
    expect((await store.get(ops))?.timeZone).toBeUndefined();
  });

  it('lets exactly one claim of a week win', async () => {
    // Act: one after another; moto's server does not evaluate conditions atomically under
    // concurrent requests (DynamoDB does), and the single-process test fires two ticks at once.
    const claims: boolean[] = [];
    for (let i = 0; i < 3; i++) claims.push(await store.claimWeek(web, '2026-11-23'));
    const again = await store.claimWeek(web, '2026-11-23');
    const next = await store.claimWeek(web, '2026-11-30');

    // Assert
    expect(claims).toEqual([true, false, false]);
    expect(again).toBe(false);
    expect(next).toBe(true);
    expect(await store.get(web)).toMatchObject({ lastSentWeek: '2026-11-30' });
  });

  it('keeps the claimed week when the settings change, and gives a claim back', async () => {
    // Arrange
    await store.claimWeek(web, '2026-11-23');

    // Act
    await store.set({
      channel: web,
      cadence: 'weekly',
      updatedBy: 'slack:U1',
      updatedAt: '2026-11-23T10:00:00.000Z',
    });
    const kept = await store.get(web);
    await store.releaseWeek(web, '2026-11-16');
    const stillKept = await store.get(web);
    await store.releaseWeek(web, '2026-11-23');

    // Assert
    expect(kept?.lastSentWeek).toBe('2026-11-23');
    expect(stillKept?.lastSentWeek).toBe('2026-11-23');
    expect((await store.get(web))?.lastSentWeek).toBeUndefined();
    expect(await store.claimWeek(web, '2026-11-23')).toBe(true);
  });
});
