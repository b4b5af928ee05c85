/** Teams Activities as the Teams service sends them, trimmed to the fields Lights Out and botbuilder read. */
import { ALICE, BOT, OPS, TEAM, TENANT } from './teamsIds.js';

let seq = 1_700_000_000_000;
const nextId = () => String(++seq);

const base = (serviceUrl: string, conversationId: string, channelId: string) => ({
  channelId: 'msteams',
  serviceUrl,
  timestamp: new Date().toISOString(),
  from: { id: '29:alice-teams-id', name: 'Alice Example', aadObjectId: ALICE },
  recipient: { id: BOT, name: 'Lights Out' },
  conversation: { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: TENANT },
  channelData: {
    teamsChannelId: channelId,
    teamsTeamId: TEAM,
    channel: { id: channelId },
    team: { id: TEAM, name: 'Platform' },
    tenant: { id: TENANT },
  },
  localTimezone: 'Europe/Berlin',
});

/** The bot added to a team (Teams sends both of these). */
export function installationAdd(serviceUrl: string) {
  return { ...base(serviceUrl, TEAM, TEAM), type: 'installationUpdate', id: nextId(), action: 'add' };
}

export function botAdded(serviceUrl: string) {
  return {
    ...base(serviceUrl, TEAM, TEAM),
    type: 'conversationUpdate',
    id: nextId(),
    membersAdded: [{ id: BOT }],
    channelData: { ...base(serviceUrl, TEAM, TEAM).channelData, eventType: 'teamMemberAdded' },
  };
}

/** The bot removed from a team, as Teams announces it: a conversationUpdate naming the bot. */
export function botRemoved(serviceUrl: string) {
  return {
    ...base(serviceUrl, TEAM, TEAM),
    type: 'conversationUpdate',
    id: nextId(),
    membersRemoved: [{ id: BOT }],
    channelData: { ...base(serviceUrl, TEAM, TEAM).channelData, eventType: 'teamMemberRemoved' },
  };
}

export function installationRemove(serviceUrl: string) {
  return { ...base(serviceUrl, TEAM, TEAM), type: 'installationUpdate', id: nextId(), action: 'remove' };
}

/** `@Lights Out <command>` posted as a new message in a channel. */
export function mention(serviceUrl: string, command: string, channel = OPS) {
  const id = nextId();
  return {
    ...base(serviceUrl, `${channel};messageid=${id}`, channel),
    type: 'message',
    id,
    text: `<at>Lights Out</at> ${command}`,
    textFormat: 'plain',
    entities: [{ type: 'mention', text: '<at>Lights Out</at>', mentioned: { id: BOT, name: 'Lights Out' } }],
  };
}

/** A click on an Action.Execute button of the card `cardId` in `channel`. */
export function execute(
  serviceUrl: string,
  cardId: string,
  action: { verb: string; data: Record<string, unknown> },
  channel = OPS,
) {
  return {
    ...base(serviceUrl, `${channel};messageid=${cardId}`, channel),
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: nextId(),
    replyToId: cardId,
    value: { action: { type: 'Action.Execute', ...action }, trigger: 'manual' },
  };
}

/** Alice's 1:1 chat with the bot (personal scope). */
export const PERSONAL_CHAT = 'a:1alice-personal-chat';

/** Alice adds the app in personal scope. */
export function personalInstall(serviceUrl: string) {
  return {
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: '29:alice-teams-id', name: 'Alice Example', aadObjectId: ALICE },
    recipient: { id: BOT, name: 'Lights Out' },
    conversation: { id: PERSONAL_CHAT, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    type: 'installationUpdate',
    id: nextId(),
    action: 'add',
  };
}
