/**
 * Teams end to end through the real CloudAdapter (auth off): installation,
 * subscriptions and @mention commands POSTed over HTTP, answers captured on
 * the loopback Bot Connector.
 */
import { describe, expect, it } from 'vitest';
import { VERBS } from '../../../src/chat/teams/nagCard.js';
import { cardsOf } from '../../support/adaptiveCards.js';
import { botAdded, execute, installationAdd, installationRemove, mention } from './activities.js';
import { cardText, nagged, subscribeOps, useTeamsWorld } from './teamsHarness.js';
import { ALICE, OPS, TEAM } from './teamsWorld.js';

const h = useTeamsWorld();

describe('Teams installation and commands, end to end through the CloudAdapter', () => {
  it('warns loudly at start-up when it runs without an app id', () => {
    expect(h.world.warnings.join('\n')).toMatch(/TEAMS IS UNAUTHENTICATED/);
  });

  it('stores the installation and says hello once when added to a team', async () => {
    // Act: Teams sends both events for one install.
    const first = await h.world.post(installationAdd(h.connector.serviceUrl));
    const second = await h.world.post(botAdded(h.connector.serviceUrl));

    // Assert
    expect([first.status, second.status]).toEqual([200, 200]);
    const stored = await h.world.installations.get('teams', TEAM);
    expect(stored?.channel).toMatchObject({
      platform: 'teams',
      serviceUrl: h.connector.serviceUrl,
      teamId: TEAM,
    });
    expect(h.connector.sent).toHaveLength(1);
    expect(h.connector.sent[0]!.conversationId).toBe(TEAM);
    expect(String(h.connector.sent[0]!.activity.text)).toMatch(/subscribe <group>/);
  });

  it('binds a channel to a group with @mention subscribe, replying in the thread', async () => {
    // Act
    const msg = mention(h.connector.serviceUrl, 'subscribe web');
    const res = await h.world.post(msg);

    // Assert
    expect(res.status).toBe(200);
    const subs = await h.world.subscriptions.forGroup('web');
    expect(subs).toHaveLength(1);
    expect(subs[0]!.channel).toMatchObject({
      platform: 'teams',
      channelId: OPS,
      serviceUrl: h.connector.serviceUrl,
    });
    expect(subs[0]!.createdBy).toBe(`teams:${ALICE}`);
    const reply = h.connector.sent[0]!;
    expect(reply.conversationId).toBe(`${OPS};messageid=${msg.id}`);
    expect(reply.replyToId).toBe(msg.id);
    expect(String(reply.activity.text)).toMatch(/now receives nags for group `web`/);
  });

  it('lists the subscriptions and removes them again', async () => {
    await subscribeOps(h);

    await h.world.post(mention(h.connector.serviceUrl, 'subscriptions'));
    await h.world.post(mention(h.connector.serviceUrl, 'unsubscribe web'));

    expect(String(h.connector.sent[1]!.activity.text)).toMatch(/`web`/);
    expect(String(h.connector.sent[2]!.activity.text)).toMatch(/no longer receives nags/);
    expect(await h.world.subscriptions.forGroup('web')).toEqual([]);
  });

  it("forgets the team and flags its channels' subscriptions broken when the bot is removed", async () => {
    await h.world.post(installationAdd(h.connector.serviceUrl));
    await subscribeOps(h);

    await h.world.post(installationRemove(h.connector.serviceUrl));

    expect(await h.world.installations.get('teams', TEAM)).toBeUndefined();
    expect((await h.world.subscriptions.forGroup('web')).map((s) => s.broken?.reason)).toEqual([
      'Lights Out was removed from the team',
    ]);
  });

  it('names the mistake in malformed commands', async () => {
    await h.world.post(mention(h.connector.serviceUrl, 'snooze'));
    await h.world.post(mention(h.connector.serviceUrl, 'subscribe Web-Servers'));
    await h.world.post(mention(h.connector.serviceUrl, 'frobnicate now'));

    const texts = h.connector.sent.map((s) => String(s.activity.text));
    expect(texts[0]).toMatch(/`snooze` needs an instance[\s\S]*Usage[\s\S]*@Lights Out snooze/);
    expect(texts[1]).toMatch(/group "Web-Servers" must be lower-case/);
    expect(texts[2]).toMatch(/unknown command "frobnicate"; known commands: .*subscribe/);
  });

  it('quotes at most about 100 characters of a huge command', async () => {
    const huge = 'x'.repeat(40_000);

    await h.world.post(mention(h.connector.serviceUrl, huge));
    await h.world.post(mention(h.connector.serviceUrl, `status ${huge}`));

    const texts = h.connector.sent.map((s) => JSON.stringify(s.activity));
    expect(texts).toHaveLength(2);
    for (const t of texts) {
      expect(t).toMatch(/x{100}…/);
      expect(t.length).toBeLessThan(3_000);
    }
  });

  it('answers status and list with cards', async () => {
    const { record } = await nagged(h);
    h.connector.reset();

    await h.world.post(mention(h.connector.serviceUrl, `status ${record.instanceId}`));
    await h.world.post(mention(h.connector.serviceUrl, 'list'));
    await h.world.post(mention(h.connector.serviceUrl, 'help'));

    const [status, list, help] = h.connector.sent.map((s) => s.activity);
    expect(cardText(cardsOf(status!)[0])).toMatch(/State: running/);
    expect(cardText(cardsOf(list!)[0])).toMatch(/web-1.*13h 02m of 12h · over threshold/);
    // Markdown-escaped: Teams shows `<group>`, and a raw `<` could start HTML or an autolink.
    expect(String(help!.text)).toContain('@Lights Out subscribe \\<group\\>');
    // Teams has no message only one person sees; help must not promise one.
    expect(String(help!.text)).not.toMatch(/only you see/);
    expect(String(help!.text)).toMatch(/--public posts the answer for the whole channel/);
  });

  it('rejects malformed requests and clicks with clear answers', async () => {
    const notJson = await h.world.post({}, { body: 'not json' });
    const get = await h.world.post({}, { method: 'GET' });
    const huge = await h.world.post(
      {},
      { body: JSON.stringify({ type: 'message', text: 'x'.repeat(1_100_000) }) },
    );
    const noToken = await h.world.post(
      execute(h.connector.serviceUrl, 'x', { verb: VERBS.snooze, data: { token: 'lo1|bad' } }),
    );
    const unknownVerb = await h.world.post(
      execute(h.connector.serviceUrl, 'x', { verb: 'launch-missiles', data: {} }),
    );

    expect(notJson).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/JSON Bot Framework Activity/) },
    });
    expect(get.status).toBe(405);
    expect(huge.status).toBe(413);
    expect(String(noToken.body!.value)).toMatch(/does not say which instance/);
    expect(String(unknownVerb.body!.value)).toMatch(/"launch-missiles" is not a Lights Out button/);
  });
});
