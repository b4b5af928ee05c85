import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsTransport } from '../../../src/chat/teams/teamsApp.js';
import { TeamsWorkloadProgressPoster } from '../../../src/chat/teams/teamsWorkloadProgress.js';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/log.js';
import { adaptiveCardProblems, cardsOf } from '../../support/adaptiveCards.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { OPS, TENANT } from './teamsWorld.js';

describe('Teams workload progress message', () => {
  let connector: FakeBotConnector;
  beforeAll(async () => {
    connector = await startFakeBotConnector();
  });
  afterAll(() => connector.close());
  beforeEach(() => connector.reset());

  it('posts one card per run and replaces it as tiers progress', async () => {
    // Arrange
    const { gateway } = createTeamsTransport(
      loadConfig({ TEAMS_ENABLED: 'true' }).teams,
      createLogger('t', 'ERROR'),
    );
    const poster = new TeamsWorkloadProgressPoster(gateway);
    const channel = {
      platform: 'teams' as const,
      channelId: OPS,
      serviceUrl: connector.serviceUrl,
      tenantId: TENANT,
    };

    // Act
    const ref = await poster.post(channel, {
      title: 'Starting shop (run r-1)',
      lines: ['… tier 1: db-1'],
      finished: false,
    });
    await poster.update(ref, {
      title: 'Started shop (run r-1)',
      lines: ['✓ tier 1: db-1', '✓ tier 2: web-1, web-2'],
      finished: true,
    });

    // Assert
    expect(ref).toMatchObject({ platform: 'teams', channelId: OPS, messageId: connector.sent[0]!.id });
    expect(connector.sent).toHaveLength(1);
    expect(connector.sent[0]!.conversationId).toBe(OPS);
    expect(connector.updates.map((u) => [u.conversationId, u.id])).toEqual([[OPS, ref.messageId]]);
    const final = cardsOf(connector.updates[0]!.activity)[0];
    expect(adaptiveCardProblems(final)).toEqual([]);
    expect(JSON.stringify(final)).toContain('✓ tier 2: web-1, web-2');
    expect(connector.updates[0]!.activity.summary).toBe('Started shop (run r-1)');
  });
});
