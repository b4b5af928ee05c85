/**
 * Reading Teams Activities: the command text behind an @mention, the channel
 * a message or click came from, and the person behind it. Teams addresses a
 * channel post's thread as `<channel id>;messageid=<root id>`; everything here
 * reduces that to the channel, which is what subscriptions name.
 */
import type { ChatActor } from '../../ports/chat.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import type { Activity, ConversationReference } from './agentsSdk.js';

export const TEAMS_CHANNEL_ID = 'msteams';

interface TeamsChannelData {
  channel?: { id?: string; name?: string };
  team?: { id?: string; name?: string; aadGroupId?: string };
  tenant?: { id?: string };
  eventType?: string;
}

export function channelData(activity: Partial<Activity>): TeamsChannelData {
  return (activity.channelData ?? {}) as TeamsChannelData;
}

/** `19:abc@thread.tacv2;messageid=123` → `19:abc@thread.tacv2`. */
export function baseConversationId(id: string): string {
  return id.split(';')[0] ?? id;
}

/**
 * The text after the bot's @mention, with Teams' HTML and entities removed.
 * The bot's own mention goes; a mention of a tag or a person (`--escalate-to
 * @Ops @Alice`) becomes a token the command parser reads: `tag:<id>|<name>`,
 * `user:<id>|<name>` (names URI-encoded, as they may hold spaces).
 */
export function commandText(activity: Partial<Activity>): string {
  const others = mentionTokens(activity);
  return (activity.text ?? '')
    .replace(/<at>([^<]*)<\/at>/gi, (_m, name: string) => ` ${others.get(name.trim()) ?? ''} `)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `<at>` text → the token for each mention that is not the bot itself. */
function mentionTokens(activity: Partial<Activity>): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const e of (activity.entities ?? []) as {
    type?: string;
    text?: string;
    mentioned?: { id?: string; name?: string; type?: string };
  }[]) {
    const id = e.mentioned?.id;
    if (e.type !== 'mention' || !id || id === activity.recipient?.id) continue;
    const label = /<at>([^<]*)<\/at>/i.exec(e.text ?? '')?.[1]?.trim();
    if (!label) continue;
    const name = encodeURIComponent(e.mentioned?.name ?? label);
    tokens.set(label, `${e.mentioned?.type === 'tag' ? 'tag' : 'user'}:${id}|${name}`);
  }
  return tokens;
}

/** Teams' conversation type: `channel`, `groupChat` or `personal` (the 1:1 chat with the bot). */
export function isPersonal(activity: Partial<Activity>): boolean {
  return activity.conversation?.conversationType === 'personal';
}

/** Where the person's 1:1 chat with the bot is stored among the installations. */
export const personalInstallationId = (aadObjectId: string) => `personal:${aadObjectId.toLowerCase()}`;

/** The reference that speaks in the activity's conversation again (no activity id: a new message). */
export function referenceOf(activity: Partial<Activity>): Partial<ConversationReference> {
  return {
    user: activity.from,
    agent: activity.recipient,
    conversation: activity.conversation,
    channelId: activity.channelId,
    locale: activity.locale,
    serviceUrl: activity.serviceUrl,
  };
}

/**
 * The channel (or group chat) an activity belongs to, with the conversation
 * reference that posts a new thread there: the thread part of the id removed,
 * and no activity id, so a proactive send starts a new post.
 */
export function channelOf(activity: Partial<Activity>): ChannelRef {
  const data = channelData(activity);
  const conversationId = baseConversationId(activity.conversation?.id ?? '');
  const channelId = data.channel?.id ?? conversationId;
  const tenantId = data.tenant?.id ?? activity.conversation?.tenantId;
  const reference = referenceOf(activity);
  const conversationReference: Partial<ConversationReference> = {
    ...reference,
    conversation: { ...reference.conversation!, id: channelId, tenantId },
  };
  return {
    platform: 'teams',
    channelId,
    serviceUrl: activity.serviceUrl,
    tenantId,
    teamId: data.team?.id,
    conversationReference: JSON.parse(JSON.stringify(conversationReference)) as Record<string, unknown>,
  };
}

/**
 * The person: their Entra object id when Teams sends it (always, for real
 * users), else the channel account id, so allow-lists and audit entries name
 * people the way an Entra admin knows them.
 */
export function actorOf(activity: Partial<Activity>): ChatActor {
  const from = activity.from;
  const id = from?.aadObjectId ?? from?.id ?? 'unknown';
  const timeZone = (activity as { localTimezone?: string }).localTimezone;
  return {
    platform: 'teams',
    id: id.toLowerCase(),
    name: from?.name,
    timeZone: async () => timeZone,
  };
}

/** True when the activity says this bot itself was added or removed. */
export function botIsAmong(members: { id?: string }[] | undefined, activity: Partial<Activity>): boolean {
  return !!members?.some((m) => m.id === activity.recipient?.id);
}
