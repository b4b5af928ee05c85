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

  /** A claim made at `at`, held for 15 minutes. */
  const lease = (at: string) => ({
    now: at,
    until: new Date(Date.parse(at) + 15 * 60_000).toISOString(),
  });
  const NINE = '2026-11-23T09:00:00.000Z';

  it('lets exactly one claim of a week win while it holds, and none once the week is sent', async () => {
    // Act: one after another; moto's server does not evaluate conditions atomically under
    // concurrent requests (DynamoDB does), and the single-process test fires two ticks at once.
    const claims: boolean[] = [];
    for (let i = 0; i < 3; i++) claims.push(await store.claimWeek(web, '2026-11-23', lease(NINE)));
    const claimed = await store.get(web);
    const marked = await store.markSent(web, { week: '2026-11-23', until: '2026-11-23T09:15:00.000Z' });
    const afterSent = await store.claimWeek(web, '2026-11-23', lease('2026-11-23T10:00:00.000Z'));
    const next = await store.claimWeek(web, '2026-11-30', lease('2026-11-30T09:00:00.000Z'));

    // Assert
    expect(claims).toEqual([true, false, false]);
    expect(marked).toBe(true);
    expect(claimed).toMatchObject({ claim: { week: '2026-11-23', until: '2026-11-23T09:15:00.000Z' } });
    expect(claimed?.lastSentWeek).toBeUndefined();
    expect(afterSent).toBe(false);
    expect(next).toBe(true);
    expect(await store.get(web)).toMatchObject({
      lastSentWeek: '2026-11-23',
      claim: { week: '2026-11-30' },
    });
  });

  it('lets a week be claimed again once a claim that was never marked sent has expired', async () => {
    // Arrange: a sender claimed the week and died before posting.
    await store.claimWeek(web, '2026-11-23', lease(NINE));

    // Act
    const whileHeld = await store.claimWeek(web, '2026-11-23', lease('2026-11-23T09:14:59.000Z'));
    const expired = await store.claimWeek(web, '2026-11-23', lease('2026-11-23T09:15:00.000Z'));
    const other = await store.claimWeek(ops, '2026-11-23', lease('2026-11-23T09:01:00.000Z'));

    // Assert
    expect(whileHeld).toBe(false);
    expect(expired).toBe(true);
    expect(other).toBe(true);
    expect(await store.get(web)).toMatchObject({
      claim: { week: '2026-11-23', until: '2026-11-23T09:30:00.000Z' },
    });
  });

  it('keeps the sent week when the settings change, and gives a claim back', async () => {
    // Arrange
    await store.claimWeek(web, '2026-11-16', lease('2026-11-16T09:00:00.000Z'));
    await store.markSent(web, { week: '2026-11-16', until: '2026-11-16T09:15:00.000Z' });
    await store.claimWeek(web, '2026-11-23', lease(NINE));

    // Act
    await store.set({
      channel: web,
      cadence: 'weekly',
      updatedBy: 'slack:U1',
      updatedAt: '2026-11-23T09:01:00.000Z',
    });
    const kept = await store.get(web);
    await store.releaseWeek(web, { week: '2026-11-16', until: '2026-11-16T09:15:00.000Z' });
    const stillClaimed = await store.get(web);
    await store.releaseWeek(web, { week: '2026-11-23', until: '2026-11-23T09:15:00.000Z' });
    const released = await store.get(web);

    // Assert
    expect(kept).toMatchObject({ lastSentWeek: '2026-11-16', claim: { week: '2026-11-23' } });
    expect(stillClaimed?.claim?.week).toBe('2026-11-23');
    expect(released?.claim).toBeUndefined();
    expect(released?.lastSentWeek).toBe('2026-11-16');
    expect(await store.claimWeek(web, '2026-11-23', lease('2026-11-23T09:02:00.000Z'))).toBe(true);
  });

  it('lets only the claim that holds be given back or ended: a sender whose lease ran out ends nothing of the next', async () => {
    // Arrange: A claims at 09:00 and overruns its lease; B claims the week at 09:15.
    const a = { week: '2026-11-23', until: '2026-11-23T09:15:00.000Z' };
    const b = { week: '2026-11-23', until: '2026-11-23T09:30:00.000Z' };
    await store.claimWeek(web, a.week, lease(NINE));
    await store.claimWeek(web, b.week, lease('2026-11-23T09:15:00.000Z'));

    // Act: A's post fails and it gives its claim back; then a third sender tries.
    await store.releaseWeek(web, a);
    const afterStaleRelease = await store.get(web);
    const third = await store.claimWeek(web, a.week, lease('2026-11-23T09:16:00.000Z'));

    // Assert
    expect(afterStaleRelease?.claim).toEqual(b);
    expect(third).toBe(false);
  });

  it('records a week that a stale sender posted as sent, and leaves the claim that replaced its own alone', async () => {
    // Arrange
    const a = { week: '2026-11-23', until: '2026-11-23T09:15:00.000Z' };
    const b = { week: '2026-11-23', until: '2026-11-23T09:30:00.000Z' };
    await store.claimWeek(web, a.week, lease(NINE));
    await store.claimWeek(web, b.week, lease('2026-11-23T09:15:00.000Z'));

    // Act
    const staleMarked = await store.markSent(web, a);
    const afterStale = await store.get(web);
    const ownMarked = await store.markSent(web, b);
    const olderWeek = await store.markSent(web, { week: '2026-11-16', until: '2026-11-16T09:15:00.000Z' });

    // Assert
    expect(staleMarked).toBe(false);
    expect(afterStale).toMatchObject({ lastSentWeek: '2026-11-23', claim: b });
    expect(ownMarked).toBe(true);
    expect(olderWeek).toBe(false);
    const after = await store.get(web);
    expect(after?.lastSentWeek).toBe('2026-11-23');
    expect(after?.claim).toBeUndefined();
  });
});
