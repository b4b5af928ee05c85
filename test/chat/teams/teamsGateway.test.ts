import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsTransport } from '../../../src/chat/teams/teamsApp.js';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/log.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { ALICE, OPS, TENANT } from './teamsWorld.js';

describe('Teams gateway', () => {
  let connector: FakeBotConnector;
  const gateway = () =>
    createTeamsTransport(loadConfig({ TEAMS_ENABLED: 'true' }).teams, createLogger('t', 'ERROR')).gateway;

  beforeAll(async () => {
    connector = await startFakeBotConnector();
  });
  afterAll(() => connector.close());
  beforeEach(() => connector.reset());

  it('replies in the thread of a channel post, and straight into a group chat (which has no threads)', async () => {
    const g = gateway();

    await g.replyInThread(
      { platform: 'teams', channelId: OPS, messageId: '1700000000042', serviceUrl: connector.serviceUrl },
      'Still running',
    );
    await g.replyInThread(
      {
        platform: 'teams',
        channelId: '19:group-chat@thread.v2',
        messageId: '77',
        serviceUrl: connector.serviceUrl,
      },
      'Still running',
    );

    expect(connector.sent.map((s) => s.conversationId)).toEqual([
      `${OPS};messageid=1700000000042`,
      '19:group-chat@thread.v2',
    ]);
    expect(connector.sent.every((s) => s.replyToId === undefined)).toBe(true);
  });

  it('says a private note in the channel with an @mention, Teams having no ephemeral messages', async () => {
    await gateway().notifyPrivately(
      { platform: 'teams', channelId: OPS, serviceUrl: connector.serviceUrl, tenantId: TENANT },
      ALICE,
      'That request was already handled.',
    );

    const note = connector.sent[0]!;
    expect(note.conversationId).toBe(OPS);
    expect(note.activity.text).toBe('<at>you</at>: That request was already handled.');
    expect(note.activity.entities).toEqual([
      expect.objectContaining({ type: 'mention', mentioned: { id: ALICE, name: 'you' } }),
    ]);
  });

  it('surfaces a connector refusal (bot removed from the team) so the delivery is retried', async () => {
    connector.failNext(403);

    await expect(
      gateway().replyInThread(
        { platform: 'teams', channelId: OPS, messageId: '1', serviceUrl: connector.serviceUrl },
        'x',
      ),
    ).rejects.toThrow();
  });

  it('refuses to post where it has no service URL, naming the fix', async () => {
    await expect(
      gateway().updateActivity({ platform: 'teams', channelId: OPS, messageId: '1' }, { type: 'message' }),
    ).rejects.toThrow(/has no service URL; re-run "subscribe" in that channel/);
  });
});
