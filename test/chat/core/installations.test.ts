/** The chat-core rule for installations, on the real SQLite stores. */
import { describe, expect, it } from 'vitest';
import { forgetInstallation, rememberInstallation } from '../../../src/chat/core/installations.js';
import type { ChannelRef } from '../../../src/ports/subscriptionStore.js';
import { SqliteChatInstallationStore } from '../../../src/sqlite/chatInstallationStore.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';

const TEAM = '19:team@thread.tacv2';
const channel = (channelId: string, teamId?: string): ChannelRef => ({
  platform: 'teams',
  channelId,
  teamId,
});

function stores() {
  const db = openDatabase(':memory:');
  return {
    installations: new SqliteChatInstallationStore(db),
    subscriptions: new SqliteSubscriptionStore(db),
  };
}

const subscribe = (s: ReturnType<typeof stores>, group: string, ch: ChannelRef) =>
  s.subscriptions.subscribe({ group, channel: ch, createdBy: 'teams:x', createdAt: '2026-01-01T00:00:00Z' });

describe('installations', () => {
  it('says an installation is new only the first time, keeping when it was first installed', async () => {
    const s = stores();
    const install = { platform: 'teams' as const, id: TEAM, channel: channel(TEAM, TEAM) };

    const first = await rememberInstallation(s, install, new Date('2026-01-01T00:00:00Z'));
    const again = await rememberInstallation(s, install, new Date('2026-02-01T00:00:00Z'));

    expect([first.isNew, again.isNew]).toEqual([true, false]);
    expect((await s.installations.get('teams', TEAM))?.installedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it("forgets a team and flags every one of its channels' subscriptions broken, and nothing else", async () => {
    // Arrange
    const s = stores();
    await rememberInstallation(s, { platform: 'teams', id: TEAM, channel: channel(TEAM, TEAM) }, new Date());
    await subscribe(s, 'web', channel('19:ops@thread.tacv2', TEAM));
    await subscribe(s, 'db', channel('19:dba@thread.tacv2', TEAM));
    await subscribe(s, 'web', channel('19:elsewhere@thread.tacv2', '19:other-team@thread.tacv2'));
    await subscribe(s, 'web', { platform: 'slack', channelId: 'C1' });

    // Act
    const { flaggedSubscriptions } = await forgetInstallation(
      s,
      { platform: 'teams', id: TEAM, teamId: TEAM, channelId: TEAM },
      new Date('2026-03-01T00:00:00Z'),
    );

    // Assert: still listed, flagged with why and since when; the others untouched.
    expect(flaggedSubscriptions).toBe(2);
    expect(await s.installations.get('teams', TEAM)).toBeUndefined();
    const all = await s.subscriptions.all();
    expect(
      all
        .map((x) => [x.channel.channelId, x.broken?.reason, x.broken?.since])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['19:dba@thread.tacv2', 'Lights Out was removed from the team', '2026-03-01T00:00:00.000Z'],
      ['19:elsewhere@thread.tacv2', undefined, undefined],
      ['19:ops@thread.tacv2', 'Lights Out was removed from the team', '2026-03-01T00:00:00.000Z'],
      ['C1', undefined, undefined],
    ]);
  });

  it('forgets a group chat, flagging its own subscriptions only', async () => {
    const s = stores();
    await subscribe(s, 'web', channel('19:chat@thread.v2'));
    await subscribe(s, 'web', channel('19:other@thread.v2'));

    await forgetInstallation(
      s,
      { platform: 'teams', id: '19:chat@thread.v2', channelId: '19:chat@thread.v2' },
      new Date(),
    );

    expect((await s.subscriptions.all()).map((x) => [x.channel.channelId, x.broken?.reason])).toEqual([
      ['19:chat@thread.v2', 'Lights Out was removed from the chat'],
      ['19:other@thread.v2', undefined],
    ]);
  });
});
