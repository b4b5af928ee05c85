/**
 * The Slack person behind a request, with their time zone, email and user groups
 * looked up only when a decision needs them (snooze "until 09:00 tomorrow",
 * allow-lists naming user groups), and cached for the life of the process.
 */
import type { WebClient } from '@slack/web-api';
import type { ChatActor } from '../../ports/chat.js';

const TTL_MS = 10 * 60_000;
const zoneCache = new Map<string, { at: number; tz?: string; email?: string }>();
let groupCache: { at: number; members: Map<string, string[]> } | undefined;

export function slackActor(
  client: WebClient,
  user: { id: string; name?: string; username?: string },
): ChatActor {
  return {
    platform: 'slack',
    id: user.id,
    name: user.username ?? user.name,
    timeZone: async () => (await profile(client, user.id)).tz,
    // users.info carries the email only with the users:read.email scope; without it, none.
    emails: async () => {
      const email = (await profile(client, user.id)).email;
      return email ? [email] : [];
    },
    userGroups: async () => {
      if (!groupCache || Date.now() - groupCache.at > TTL_MS) {
        const res = await client.usergroups.list({ include_users: true });
        const members = new Map<string, string[]>();
        for (const g of res.usergroups ?? []) {
          for (const u of g.users ?? []) members.set(u, [...(members.get(u) ?? []), g.id ?? '']);
        }
        groupCache = { at: Date.now(), members };
      }
      return groupCache.members.get(user.id) ?? [];
    },
  };
}

/** One users.info per person per TTL gives both the time zone and the email. */
async function profile(client: WebClient, userId: string): Promise<{ tz?: string; email?: string }> {
  const hit = zoneCache.get(userId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit;
  const res = await client.users.info({ user: userId });
  const entry = { at: Date.now(), tz: res.user?.tz, email: res.user?.profile?.email };
  zoneCache.set(userId, entry);
  return entry;
}
