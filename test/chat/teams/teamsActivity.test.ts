import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/chat/core/commands.js';
import {
  actorOf,
  baseConversationId,
  channelOf,
  commandText,
} from '../../../src/chat/teams/teamsActivity.js';

const BOT = { id: '28:bot', name: 'Lights Out' };
const mentionEntity = { type: 'mention', text: '<at>Lights Out</at>', mentioned: BOT };

describe('reading Teams activities', () => {
  it.each([
    ['<at>Lights Out</at> subscribe web', 'subscribe web'],
    ['<p><at>Lights Out</at>&nbsp;snooze web-1&nbsp; 2h</p>', 'snooze web-1 2h'],
    ['<at>Lights Out</at>\n  list   all --over\n', 'list all --over'],
    ['<at>Lights Out</at>', ''],
    ['status i-0abc &amp; more', 'status i-0abc & more'],
  ])('takes the command out of %j', (text, command) => {
    expect(commandText({ text, recipient: BOT, entities: [mentionEntity] })).toBe(command);
  });

  it('turns mentions of a tag or a person into tokens the subscribe options read, and drops its own', () => {
    // Arrange: `@Lights Out subscribe web --escalate-to @Ops team @Alice`, as Teams sends it.
    const text = '<at>Lights Out</at> subscribe web --escalate-to <at>Ops team</at> <at>Alice</at>';
    const entities = [
      mentionEntity,
      {
        type: 'mention',
        text: '<at>Ops team</at>',
        mentioned: { id: 'tag-123', name: 'Ops team', type: 'tag' },
      },
      { type: 'mention', text: '<at>Alice</at>', mentioned: { id: '29:alice', name: 'Alice' } },
    ];

    // Act
    const command = commandText({ text, recipient: BOT, entities });
    const parsed = parseCommand(command);

    // Assert
    expect(command).toBe('subscribe web --escalate-to tag:tag-123|Ops%20team user:29:alice|Alice');
    expect(parsed).toMatchObject({
      ok: true,
      command: {
        kind: 'subscribe',
        routing: {
          escalateTo: [
            { kind: 'tag', id: 'tag-123', name: 'Ops team' },
            { kind: 'user', id: '29:alice', name: 'Alice' },
          ],
        },
      },
    });
  });

  it('reduces a thread to its channel and keeps what a proactive post needs', () => {
    const channel = channelOf({
      type: 'message',
      id: '1700000000001',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversation: {
        id: '19:ops@thread.tacv2;messageid=1700000000001',
        isGroup: true,
        conversationType: 'channel',
        name: '',
      },
      recipient: BOT,
      from: { id: '29:alice', name: 'Alice' },
      channelData: {
        channel: { id: '19:ops@thread.tacv2' },
        team: { id: '19:team@thread.tacv2' },
        tenant: { id: 't-1' },
      },
    });

    expect(channel).toMatchObject({
      platform: 'teams',
      channelId: '19:ops@thread.tacv2',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      tenantId: 't-1',
      teamId: '19:team@thread.tacv2',
    });
    expect(channel.conversationReference).toMatchObject({
      conversation: { id: '19:ops@thread.tacv2', tenantId: 't-1' },
    });
    expect(channel.conversationReference).not.toHaveProperty('activityId');
  });

  it('names people by Entra object id, lower-cased as allow-lists store them', async () => {
    const actor = actorOf({
      from: { id: '29:alice', name: 'Alice', aadObjectId: 'A11CE000-0000-4000-8000-000000000001' },
      localTimezone: 'Europe/Berlin',
    } as never);

    expect(actor).toMatchObject({
      platform: 'teams',
      id: 'a11ce000-0000-4000-8000-000000000001',
      name: 'Alice',
    });
    expect(await actor.timeZone?.()).toBe('Europe/Berlin');
  });

  it('strips the thread part of a conversation id', () => {
    expect(baseConversationId('19:ops@thread.tacv2;messageid=42')).toBe('19:ops@thread.tacv2');
    expect(baseConversationId('19:group@thread.v2')).toBe('19:group@thread.v2');
  });
});
