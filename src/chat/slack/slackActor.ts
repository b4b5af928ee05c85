/**
 * The Slack person behind a request, with their time zone and user groups
 * looked up only when a decision needs them (snooze "until 09:00 tomorrow",
 * allow-lists naming user groups), and cached for the life of the process.
 */
import type { WebClient } from '@slack/web-api';
import type { ChatActor } from '../../ports/chat.js';

const TTL_MS = 10 * 60_000;
const zoneCache = new Map<string, { at: number; tz?: string }>();
let groupCache: { at: number; members: Map<string, string[]> } | undefined;

export function slackActor(
  client: WebClient,
  user: { id: string; name?: string; username?: string },
): ChatActor {
  return {
    platform: 'slack',
    id: user.id,
    name: user.username ?? user.name,
    timeZone: async () => {
      const hit = zoneCache.get(user.id);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.tz;
      const res = await client.users.info({ user: user.id });
      const tz = res.user?.tz;
      zoneCache.set(user.id, { at: Date.now(), tz });
      return tz;
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
