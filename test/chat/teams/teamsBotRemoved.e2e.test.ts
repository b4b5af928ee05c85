/**
 * The bot removed from a team, end to end through the real CloudAdapter:
 * Teams' conversationUpdate (membersRemoved naming the bot, eventType
 * teamMemberRemoved) flags the team's subscriptions broken, and the next nag,
 * which the connector refuses the way it does for a bot no longer in the
 * roster (403 BotNotInConversationRoster, read from the Agents SDK's
 * HttpError), is marked undelivered with that reason instead of retried.
 */
import { describe, expect, it } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import { botAdded, botRemoved } from './activities.js';
import { subscribeOps, useTeamsWorld } from './teamsHarness.js';
import { OPS, TEAM } from './teamsWorld.js';

const h = useTeamsWorld();

describe('the bot removed from the team', () => {
  it('flags the subscriptions broken and marks the next nag undelivered with the connector’s reason', async () => {
    // Arrange: installed and subscribed; an instance is past its threshold.
    await h.world.post(botAdded(h.connector.serviceUrl));
    await subscribeOps(h);
    const record = await h.world.launch();

    // Act 1: Teams says the bot was removed from the team.
    const removed = await h.world.post(botRemoved(h.connector.serviceUrl));

    // Assert 1
    expect(removed.status).toBe(200);
    expect(await h.world.installations.get('teams', TEAM)).toBeUndefined();
    expect((await h.world.subscriptions.forGroup('web')).map((s) => s.broken?.reason)).toEqual([
      'Lights Out was removed from the team',
    ]);

    // Act 2: the next nag; the connector refuses as it does for a removed bot.
    h.connector.reset();
    h.connector.failNext(403, 5, 'BotNotInConversationRoster');
    const report = await h.world.core.delivery.deliverNag(buildNagNotification(record, h.world.now));

    // Assert 2: undelivered with the reason, flagged with it, nothing retried or posted.
    expect(report.undelivered).toBe(true);
    const stored = await h.world.instances.get(record);
    expect(stored?.undelivered).toBe(true);
    expect(stored?.undeliveredReason).toBe(`teams:${OPS} BotNotInConversationRoster`);
    expect((await h.world.subscriptions.forGroup('web'))[0]?.broken?.reason).toBe(
      'BotNotInConversationRoster',
    );
    expect(h.connector.sent).toEqual([]);
  });
});
