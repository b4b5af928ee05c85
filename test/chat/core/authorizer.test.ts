import { describe, expect, it } from 'vitest';
import { Authorizer } from '../../../src/chat/core/authorizer.js';
import type { ChatActor } from '../../../src/ports/chat.js';
import type { ChannelRef } from '../../../src/ports/subscriptionStore.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';

const subscribed: ChannelRef = { platform: 'slack', channelId: 'CSUB' };
const fallback: ChannelRef = { platform: 'slack', channelId: 'CFALLBACK' };
const actor = (id: string): ChatActor => ({ platform: 'slack', id });

async function authorizer() {
  const subscriptions = new SqliteSubscriptionStore(openDatabase(':memory:'));
  await subscriptions.subscribe({
    group: 'followed',
    channel: subscribed,
    createdBy: 'U0',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  return new Authorizer({
    subscriptions,
    policies: { slack: { stopAllow: { followed: ['UALLOWED'] }, admins: ['UADMIN'] } },
    fallbackChannels: { slack: fallback },
  });
}

describe('Authorizer', () => {
  it('lets an admin stop in a group with an allow-list that does not name them, and refuses anyone else', async () => {
    const auth = await authorizer();
    expect(await auth.mayAct(actor('UADMIN'), subscribed, 'followed', 'stop')).toEqual({ ok: true });
    expect(await auth.mayAct(actor('UALLOWED'), subscribed, 'followed', 'stop')).toEqual({ ok: true });
    const other = await auth.mayAct(actor('UOTHER'), subscribed, 'followed', 'stop');
    expect(other.ok).toBe(false);
  });

  it('lets the fallback channel act on a group nobody follows, but not on a followed group', async () => {
    const auth = await authorizer();
    expect(await auth.mayAct(actor('UOTHER'), fallback, 'orphan', 'snooze')).toEqual({ ok: true });
    const followed = await auth.mayAct(actor('UADMIN'), fallback, 'followed', 'snooze');
    expect(followed.ok).toBe(false);
    expect(followed.ok === false && followed.reason).toContain('not subscribed to group `followed`');
    // Another channel is no fallback for an unfollowed group.
    expect((await auth.mayAct(actor('UOTHER'), subscribed, 'orphan', 'snooze')).ok).toBe(false);
  });
});
