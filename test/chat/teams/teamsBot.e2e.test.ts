import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VERBS } from '../../../src/chat/teams/nagCard.js';
import { AccessDeniedError } from '../../../src/core/errors.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { adaptiveCardProblems, cardsOf } from '../../support/adaptiveCards.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { useMoto } from '../../support/moto.js';
import { botAdded, execute, installationAdd, installationRemove, mention } from './activities.js';
import { ALICE, createTeamsWorld, OPS, OTHER, TEAM, TENANT, type TeamsWorld } from './teamsWorld.js';

const moto = useMoto();
let connector: FakeBotConnector;
let world: TeamsWorld;

beforeAll(async () => {
  connector = await startFakeBotConnector();
});
afterAll(async () => {
  await connector.close();
});
beforeEach(async () => {
  await moto.reset();
  connector.reset();
  world = await createTeamsWorld(moto, connector);
});
afterEach(async () => {
  // Every card the bot sent or updated is a valid Adaptive Card 1.5, and the connector understood every call.
  for (const a of [...connector.sent, ...connector.updates]) {
    for (const card of cardsOf(a.activity)) expect(adaptiveCardProblems(card)).toEqual([]);
  }
  expect(connector.unknown).toEqual([]);
  await world.close();
});

type Card = { body: Record<string, unknown>[] };

/** Finds an action anywhere in a card by title. */
function findAction(card: unknown, title: string): Record<string, unknown> | undefined {
  const stack: unknown[] = [card];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith('Action.') && o.title === title) return o;
      stack.push(...Object.values(o));
    }
  }
  return undefined;
}

const cardText = (card: unknown) => JSON.stringify(card);

async function subscribeOps(group = 'web') {
  const res = await world.post(mention(connector.serviceUrl, `subscribe ${group}`));
  expect(res.status).toBe(200);
}

/** Subscribes OPS, launches an instance, delivers its first nag; returns the posted card and its id. */
async function nagged() {
  await subscribeOps();
  const record = await world.launch();
  connector.reset();
  await world.core.delivery.deliverNag(buildNagNotification(record, world.now));
  const post = connector.sent.at(-1)!;
  return { record, cardId: post.id, card: cardsOf(post.activity)[0] as Card };
}

describe('Teams allow-lists by Entra object id', () => {
  const BOB = 'b0b00000-0000-4000-8000-000000000002';

  it("refuses Stop to someone not on the group's stop allow-list, and subscriptions to non-admins", async () => {
    // Arrange: a world where only Bob may stop web instances and change subscriptions.
    await world.close();
    world = await createTeamsWorld(moto, connector, { TEAMS_STOP_ALLOW: `web=${BOB}`, TEAMS_ADMINS: BOB });
    await world.subscriptions.subscribe({
      group: 'web',
      channel: { platform: 'teams', channelId: OPS, serviceUrl: connector.serviceUrl, tenantId: TENANT },
      createdBy: `teams:${BOB}`,
      createdAt: world.now.toISOString(),
    });
    const record = await world.launch();
    await world.core.delivery.deliverNag(buildNagNotification(record, world.now));
    const post = connector.sent.at(-1)!;
    const confirm = findAction(cardsOf(post.activity)[0], 'Yes, stop it')!;

    // Act: Alice clicks Stop and tries to subscribe another group.
    const res = await world.post(
      execute(connector.serviceUrl, post.id, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );
    await world.post(mention(connector.serviceUrl, 'subscribe db'));

    // Assert
    expect(String(res.body!.value)).toMatch(/Only the people on the stop allow-list of group `web`/);
    expect(await world.ec2State(record.instanceId)).toBe('running');
    expect(String(connector.sent.at(-1)!.activity.text)).toMatch(
      /Only Lights Out admins may change subscriptions/,
    );
    expect(await world.subscriptions.forGroup('db')).toEqual([]);
  });
});

describe('Teams bot, end to end through the CloudAdapter', () => {
  it('warns loudly at start-up when it runs without an app id', () => {
    expect(world.warnings.join('\n')).toMatch(/TEAMS IS UNAUTHENTICATED/);
  });

  it('stores the installation and says hello once when added to a team', async () => {
    // Act: Teams sends both events for one install.
    const first = await world.post(installationAdd(connector.serviceUrl));
    const second = await world.post(botAdded(connector.serviceUrl));

    // Assert
    expect([first.status, second.status]).toEqual([200, 200]);
    const stored = await world.installations.get('teams', TEAM);
    expect(stored?.channel).toMatchObject({
      platform: 'teams',
      serviceUrl: connector.serviceUrl,
      teamId: TEAM,
    });
    expect(connector.sent).toHaveLength(1);
    expect(connector.sent[0]!.conversationId).toBe(TEAM);
    expect(String(connector.sent[0]!.activity.text)).toMatch(/subscribe <group>/);
  });

  it('binds a channel to a group with @mention subscribe, replying in the thread', async () => {
    // Act
    const msg = mention(connector.serviceUrl, 'subscribe web');
    const res = await world.post(msg);

    // Assert
    expect(res.status).toBe(200);
    const subs = await world.subscriptions.forGroup('web');
    expect(subs).toHaveLength(1);
    expect(subs[0]!.channel).toMatchObject({
      platform: 'teams',
      channelId: OPS,
      serviceUrl: connector.serviceUrl,
    });
    expect(subs[0]!.createdBy).toBe(`teams:${ALICE}`);
    const reply = connector.sent[0]!;
    expect(reply.conversationId).toBe(`${OPS};messageid=${msg.id}`);
    expect(reply.replyToId).toBe(msg.id);
    expect(String(reply.activity.text)).toMatch(/now receives nags for group `web`/);
  });

  it('lists the subscriptions and removes them again', async () => {
    await subscribeOps();

    await world.post(mention(connector.serviceUrl, 'subscriptions'));
    await world.post(mention(connector.serviceUrl, 'unsubscribe web'));

    expect(String(connector.sent[1]!.activity.text)).toMatch(/`web`/);
    expect(String(connector.sent[2]!.activity.text)).toMatch(/no longer receives nags/);
    expect(await world.subscriptions.forGroup('web')).toEqual([]);
  });

  it("drops the team and its channels' subscriptions when the bot is removed", async () => {
    await world.post(installationAdd(connector.serviceUrl));
    await subscribeOps();

    await world.post(installationRemove(connector.serviceUrl));

    expect(await world.installations.get('teams', TEAM)).toBeUndefined();
    expect(await world.subscriptions.forGroup('web')).toEqual([]);
  });

  it('posts a proactive nag card as a new thread in the subscribed channel', async () => {
    // Arrange
    await subscribeOps();
    const record = await world.launch();
    connector.reset();

    // Act
    await world.core.delivery.deliverNag(buildNagNotification(record, world.now));

    // Assert
    expect(connector.sent).toHaveLength(1);
    const post = connector.sent[0]!;
    expect(post.conversationId).toBe(OPS);
    expect(post.replyToId).toBeUndefined();
    const card = cardsOf(post.activity)[0];
    expect(cardText(card)).toContain('web-1');
    expect(cardText(card)).toMatch(/has been running 13h 02m \(threshold 12h\)/);
    expect(String(post.activity.summary)).toMatch(/^web-1 \(i-\w+\) has been running 13h 02m/);
    expect(findAction(card, 'Stop…')).toMatchObject({ type: 'Action.ToggleVisibility' });
    expect(findAction(card, 'Snooze')).toMatchObject({ type: 'Action.Execute', verb: VERBS.snooze });
    expect(findAction(card, 'Extend')).toMatchObject({ type: 'Action.Execute', verb: VERBS.extend });
    const stored = await world.instances.get(record);
    expect(stored?.chatRefs).toEqual([
      expect.objectContaining({
        platform: 'teams',
        channelId: OPS,
        messageId: post.id,
        serviceUrl: connector.serviceUrl,
      }),
    ]);
  });

  it('fails the delivery when Teams refuses the post, so SNS retries, and the retry posts once', async () => {
    // Arrange
    await subscribeOps();
    const record = await world.launch();
    const nag = buildNagNotification(record, world.now);
    connector.reset();
    connector.failNext(403);

    // Act
    const first = world.core.delivery.deliverNag(nag, 'sns#m-1');
    await expect(first).rejects.toThrow(/chat delivery failed for teams:19:ops-channel@thread.tacv2/);
    await world.core.delivery.deliverNag(nag, 'sns#m-1');
    await world.core.delivery.deliverNag(nag, 'sns#m-1');

    // Assert
    expect(connector.sent).toHaveLength(1);
    expect((await world.instances.get(record))!.chatRefs).toHaveLength(1);
  });

  it('updates the card and replies in its thread on a repeat nag', async () => {
    const { record, cardId } = await nagged();
    connector.reset();
    world.setNow(new Date(world.now.getTime() + 3600_000));

    await world.core.delivery.deliverNag(buildNagNotification({ ...record, nagCount: 2 }, world.now));

    expect(connector.updates.map((u) => [u.conversationId, u.id])).toEqual([[OPS, cardId]]);
    expect(connector.sent).toHaveLength(1);
    expect(connector.sent[0]!.conversationId).toBe(`${OPS};messageid=${cardId}`);
    expect(String(connector.sent[0]!.activity.text)).toMatch(/Still running after 14h 02m/);
  });

  it('posts a fresh card on a repeat nag when the first one was deleted in Teams', async () => {
    const { record } = await nagged();
    connector.reset();
    connector.failNext(404);
    world.setNow(new Date(world.now.getTime() + 3600_000));

    await world.core.delivery.deliverNag(buildNagNotification({ ...record, nagCount: 2 }, world.now));

    expect(connector.sent).toHaveLength(1);
    expect(connector.sent[0]!.conversationId).toBe(OPS);
    expect(cardsOf(connector.sent[0]!.activity)).toHaveLength(1);
    const refs = (await world.instances.get(record))!.chatRefs;
    expect(refs.map((r) => r.messageId)).toContain(connector.sent[0]!.id);
  });

  it('stops the instance after the in-card confirmation and replaces the card with the outcome', async () => {
    // Arrange
    const { record, cardId, card } = await nagged();
    const confirm = findAction(card, 'Yes, stop it')!;
    connector.reset();

    // Act: the confirmation button's own verb and data, as Teams would send them.
    const res = await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const refreshed = res.body!.value;
    expect(adaptiveCardProblems(refreshed)).toEqual([]);
    expect(cardText(refreshed)).toMatch(/Stopped by Alice Example after 13h 02m/);
    expect(findAction(refreshed, 'Snooze')).toBeUndefined();
    expect(['stopping', 'stopped']).toContain(await world.ec2State(record.instanceId));
    expect(connector.updates.map((u) => u.id)).toContain(cardId);
    const audit = await world.audit.recent(5);
    expect(audit[0]).toMatchObject({ actor: `teams:${ALICE}`, action: 'stop', result: 'ok' });
  });

  it('does not stop on an unconfirmed Stop', async () => {
    const { record, cardId, card } = await nagged();
    const confirm = findAction(card, 'Yes, stop it')!;

    const res = await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: { token: (confirm.data as { token: string }).token },
      }),
    );

    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String(res.body!.value)).toMatch(/needs a confirmation/);
    expect(await world.ec2State(record.instanceId)).toBe('running');
  });

  it('snoozes with the chosen option and shows who snoozed until when', async () => {
    const { record, cardId, card } = await nagged();
    const snooze = findAction(card, 'Snooze')!;

    const res = await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(snooze.verb),
        data: { ...(snooze.data as object), snoozeChoice: '4h', extendChoice: '2h' },
      }),
    );

    const refreshed = res.body!.value;
    expect(adaptiveCardProblems(refreshed)).toEqual([]);
    expect(cardText(refreshed)).toMatch(/Snoozed by Alice Example until \{\{TIME\(/);
    const stored = await world.instances.get(record);
    expect(Date.parse(stored!.snoozedUntil!)).toBe(world.now.getTime() + 4 * 3600_000);
    expect(await world.ec2State(record.instanceId)).toBe('running');
  });

  it("snoozes until 09:00 tomorrow in the clicker's own time zone", async () => {
    const { record, cardId, card } = await nagged();
    const snooze = findAction(card, 'Snooze')!;

    await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(snooze.verb),
        data: { ...(snooze.data as object), snoozeChoice: 'tomorrow-09:00' },
      }),
    );

    const until = new Date((await world.instances.get(record))!.snoozedUntil!);
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
    });
    expect(berlin.format(until)).toBe('09:00');
    expect(until.getTime() - world.now.getTime()).toBeLessThanOrEqual(33 * 3600_000);
  });

  it('extends the threshold by the chosen amount', async () => {
    const { record, cardId, card } = await nagged();
    const extend = findAction(card, 'Extend')!;

    const res = await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(extend.verb),
        data: { ...(extend.data as object), snoozeChoice: '1h', extendChoice: '8h' },
      }),
    );

    expect(cardText(res.body!.value)).toMatch(/Threshold extended to .* by Alice Example/);
    const stored = await world.instances.get(record);
    expect(stored!.extensionSeconds).toBeGreaterThan(0);
    const audit = await world.audit.recent(5);
    expect(audit[0]).toMatchObject({ action: 'extend', result: 'ok' });
  });

  it('answers a stale button with a refreshed card and does nothing', async () => {
    // Arrange: the instance is stopped outside Teams after the card was posted.
    const { record, cardId, card } = await nagged();
    const snooze = findAction(card, 'Snooze')!;
    await world.monitor.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'stopped',
      time: world.now.toISOString(),
    });

    // Act
    const res = await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(snooze.verb),
        data: { ...(snooze.data as object), snoozeChoice: '1h' },
      }),
    );

    // Assert
    const refreshed = res.body!.value;
    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.card.adaptive' });
    expect(adaptiveCardProblems(refreshed)).toEqual([]);
    expect(cardText(refreshed)).toMatch(/Nothing done: .* no longer running/);
    expect(findAction(refreshed, 'Snooze')).toBeUndefined();
    expect((await world.instances.get(record))!.snoozedUntil).toBeUndefined();
    expect((await world.audit.recent(5))[0]).toMatchObject({ action: 'snooze', result: 'stale' });
  });

  it('refuses a click from a channel that does not follow the group', async () => {
    const { record, cardId, card } = await nagged();
    const confirm = findAction(card, 'Yes, stop it')!;

    const res = await world.post(
      execute(
        connector.serviceUrl,
        cardId,
        { verb: String(confirm.verb), data: confirm.data as Record<string, unknown> },
        OTHER,
      ),
    );

    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String(res.body!.value)).toMatch(/not subscribed to group `web`/);
    expect(await world.ec2State(record.instanceId)).toBe('running');
    expect((await world.audit.recent(5))[0]).toMatchObject({ action: 'stop', result: 'refused' });
  });

  it('rewrites the card when the instance is stopped outside Teams', async () => {
    const { record, cardId } = await nagged();
    connector.reset();

    await world.monitor.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'stopped',
      time: world.now.toISOString(),
    });

    const update = connector.updates.find((u) => u.id === cardId);
    expect(update?.conversationId).toBe(OPS);
    const card = cardsOf(update!.activity)[0];
    expect(cardText(card)).toMatch(/Stopped outside Teams after/);
    expect(findAction(card, 'Snooze')).toBeUndefined();
  });

  it('keeps the buttons and explains an EC2 refusal, doing nothing', async () => {
    const { record, cardId, card } = await nagged();
    const confirm = findAction(card, 'Yes, stop it')!;
    world.failStops(new AccessDeniedError('UnauthorizedOperation: not allowed to stop this instance'));

    const res = await world.post(
      execute(connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );

    const refreshed = res.body!.value;
    expect(adaptiveCardProblems(refreshed)).toEqual([]);
    expect(cardText(refreshed)).toMatch(/Could not stop web-1 .*not permitted to do that in AWS/);
    expect(findAction(refreshed, 'Yes, stop it')).toBeDefined();
    expect(await world.ec2State(record.instanceId)).toBe('running');
    expect((await world.audit.recent(5))[0]).toMatchObject({ action: 'stop', result: 'error' });
  });

  it('names the mistake in malformed commands', async () => {
    await world.post(mention(connector.serviceUrl, 'snooze'));
    await world.post(mention(connector.serviceUrl, 'subscribe Web-Servers'));
    await world.post(mention(connector.serviceUrl, 'frobnicate now'));

    const texts = connector.sent.map((s) => String(s.activity.text));
    expect(texts[0]).toMatch(/`snooze` needs an instance[\s\S]*Usage[\s\S]*@Lights Out snooze/);
    expect(texts[1]).toMatch(/group "Web-Servers" must be lower-case/);
    expect(texts[2]).toMatch(/unknown command "frobnicate"; known commands: .*subscribe/);
  });

  it('answers status and list with cards', async () => {
    const { record } = await nagged();
    connector.reset();

    await world.post(mention(connector.serviceUrl, `status ${record.instanceId}`));
    await world.post(mention(connector.serviceUrl, 'list'));
    await world.post(mention(connector.serviceUrl, 'help'));

    const [status, list, help] = connector.sent.map((s) => s.activity);
    expect(cardText(cardsOf(status!)[0])).toMatch(/State: running/);
    expect(cardText(cardsOf(list!)[0])).toMatch(/web-1.*13h 02m of 12h · over threshold/);
    expect(String(help!.text)).toMatch(/@Lights Out subscribe <group>/);
  });

  it('rejects malformed requests and clicks with clear answers', async () => {
    const notJson = await world.post({}, { body: 'not json' });
    const get = await world.post({}, { method: 'GET' });
    const huge = await world.post(
      {},
      { body: JSON.stringify({ type: 'message', text: 'x'.repeat(1_100_000) }) },
    );
    const noToken = await world.post(
      execute(connector.serviceUrl, 'x', { verb: VERBS.snooze, data: { token: 'lo1|bad' } }),
    );
    const unknownVerb = await world.post(
      execute(connector.serviceUrl, 'x', { verb: 'launch-missiles', data: {} }),
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
