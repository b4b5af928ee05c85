/**
 * Teams end to end through the real CloudAdapter (auth off): proactive nag
 * cards, Action.Execute clicks (Stop with confirm, Snooze, Extend), stale and
 * refused clicks, EC2 errors and updates from outside Teams, against moto EC2.
 */
import { describe, expect, it } from 'vitest';
import { VERBS } from '../../../src/chat/teams/nagCard.js';
import { AccessDeniedError } from '../../../src/core/errors.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { adaptiveCardProblems, cardsOf } from '../../support/adaptiveCards.js';
import { execute, mention } from './activities.js';
import { cardText, findAction, nagged, subscribeOps, useTeamsWorld } from './teamsHarness.js';
import { ALICE, createTeamsWorld, OPS, OTHER, TENANT } from './teamsWorld.js';

const h = useTeamsWorld();

describe('Teams allow-lists by Entra object id', () => {
  const BOB = 'b0b00000-0000-4000-8000-000000000002';

  it("refuses Stop to someone not on the group's stop allow-list, and subscriptions to non-admins", async () => {
    // Arrange: a h.world where only Bob may stop web instances and change subscriptions.
    await h.world.close();
    h.world = await createTeamsWorld(h.moto, h.connector, {
      TEAMS_STOP_ALLOW: `web=${BOB}`,
      TEAMS_ADMINS: BOB,
    });
    await h.world.subscriptions.subscribe({
      group: 'web',
      channel: { platform: 'teams', channelId: OPS, serviceUrl: h.connector.serviceUrl, tenantId: TENANT },
      createdBy: `teams:${BOB}`,
      createdAt: h.world.now.toISOString(),
    });
    const record = await h.world.launch();
    await h.world.core.delivery.deliverNag(buildNagNotification(record, h.world.now));
    const post = h.connector.sent.at(-1)!;
    const confirm = findAction(cardsOf(post.activity)[0], 'Yes, stop it')!;

    // Act: Alice clicks Stop and tries to subscribe another group.
    const res = await h.world.post(
      execute(h.connector.serviceUrl, post.id, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );
    await h.world.post(mention(h.connector.serviceUrl, 'subscribe db'));

    // Assert
    expect(String(res.body!.value)).toMatch(/Only the people on the stop allow-list of group `web`/);
    expect(await h.world.ec2State(record.instanceId)).toBe('running');
    expect(String(h.connector.sent.at(-1)!.activity.text)).toMatch(
      /Only Lights Out admins may change subscriptions/,
    );
    expect(await h.world.subscriptions.forGroup('db')).toEqual([]);
  });
});

describe('Teams nag cards and buttons, end to end through the CloudAdapter', () => {
  it('posts a proactive nag card as a new thread in the subscribed channel', async () => {
    // Arrange
    await subscribeOps(h);
    const record = await h.world.launch();
    h.connector.reset();

    // Act
    await h.world.core.delivery.deliverNag(buildNagNotification(record, h.world.now));

    // Assert
    expect(h.connector.sent).toHaveLength(1);
    const post = h.connector.sent[0]!;
    expect(post.conversationId).toBe(OPS);
    expect(post.replyToId).toBeUndefined();
    const card = cardsOf(post.activity)[0];
    expect(cardText(card)).toContain('web-1');
    expect(cardText(card)).toMatch(/has been running 13h 02m \(threshold 12h\)/);
    expect(String(post.activity.summary)).toMatch(/^web-1 \(i-\w+\) has been running 13h 02m/);
    expect(findAction(card, 'Stop…')).toMatchObject({ type: 'Action.ToggleVisibility' });
    expect(findAction(card, 'Snooze')).toMatchObject({ type: 'Action.Execute', verb: VERBS.snooze });
    expect(findAction(card, 'Extend')).toMatchObject({ type: 'Action.Execute', verb: VERBS.extend });
    const stored = await h.world.instances.get(record);
    expect(stored?.chatRefs).toEqual([
      expect.objectContaining({
        platform: 'teams',
        channelId: OPS,
        messageId: post.id,
        serviceUrl: h.connector.serviceUrl,
      }),
    ]);
  });

  it('fails the delivery when the Teams connector has a passing fault (502), so SNS retries, and the retry posts once', async () => {
    // Arrange
    await subscribeOps(h);
    const record = await h.world.launch();
    const nag = buildNagNotification(record, h.world.now);
    h.connector.reset();
    // A 403 is permanent (the nag is marked undelivered, see deliveryFaults.test.ts); a 5xx is worth a retry.
    h.connector.failNext(502);

    // Act
    const first = h.world.core.delivery.deliverNag(nag, 'sns#m-1');
    await expect(first).rejects.toThrow(/chat delivery failed for teams:19:ops-channel@thread.tacv2/);
    await h.world.core.delivery.deliverNag(nag, 'sns#m-1');
    await h.world.core.delivery.deliverNag(nag, 'sns#m-1');

    // Assert
    expect(h.connector.sent).toHaveLength(1);
    expect((await h.world.instances.get(record))!.chatRefs).toHaveLength(1);
  });

  it('updates the card and replies in its thread on a repeat nag', async () => {
    const { record, cardId } = await nagged(h);
    h.connector.reset();
    h.world.setNow(new Date(h.world.now.getTime() + 3600_000));

    await h.world.core.delivery.deliverNag(buildNagNotification({ ...record, nagCount: 2 }, h.world.now));

    expect(h.connector.updates.map((u) => [u.conversationId, u.id])).toEqual([[OPS, cardId]]);
    expect(h.connector.sent).toHaveLength(1);
    expect(h.connector.sent[0]!.conversationId).toBe(`${OPS};messageid=${cardId}`);
    expect(String(h.connector.sent[0]!.activity.text)).toMatch(/Still running after 14h 02m/);
  });

  it('posts a fresh card on a repeat nag when the first one was deleted in Teams', async () => {
    const { record } = await nagged(h);
    h.connector.reset();
    h.connector.failNext(404);
    h.world.setNow(new Date(h.world.now.getTime() + 3600_000));

    await h.world.core.delivery.deliverNag(buildNagNotification({ ...record, nagCount: 2 }, h.world.now));

    expect(h.connector.sent).toHaveLength(1);
    expect(h.connector.sent[0]!.conversationId).toBe(OPS);
    expect(cardsOf(h.connector.sent[0]!.activity)).toHaveLength(1);
    const refs = (await h.world.instances.get(record))!.chatRefs;
    expect(refs.map((r) => r.messageId)).toContain(h.connector.sent[0]!.id);
  });

  it('stops the instance after the in-card confirmation and replaces the card with the outcome', async () => {
    // Arrange
    const { record, cardId, card } = await nagged(h);
    const confirm = findAction(card, 'Yes, stop it')!;
    h.connector.reset();

    // Act: the confirmation button's own verb and data, as Teams would send them.
    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
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
    expect(['stopping', 'stopped']).toContain(await h.world.ec2State(record.instanceId));
    expect(h.connector.updates.map((u) => u.id)).toContain(cardId);
    const audit = await h.world.audit.recent(5);
    expect(audit[0]).toMatchObject({ actor: `teams:${ALICE}`, action: 'stop', result: 'ok' });
  });

  it('does not stop on an unconfirmed Stop', async () => {
    const { record, cardId, card } = await nagged(h);
    const confirm = findAction(card, 'Yes, stop it')!;

    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: { token: (confirm.data as { token: string }).token },
      }),
    );

    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String(res.body!.value)).toMatch(/needs a confirmation/);
    expect(await h.world.ec2State(record.instanceId)).toBe('running');
  });

  it('snoozes with the chosen option and shows who snoozed until when', async () => {
    const { record, cardId, card } = await nagged(h);
    const snooze = findAction(card, 'Snooze')!;

    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(snooze.verb),
        data: { ...(snooze.data as object), snoozeChoice: '4h', extendChoice: '2h' },
      }),
    );

    const refreshed = res.body!.value;
    expect(adaptiveCardProblems(refreshed)).toEqual([]);
    expect(cardText(refreshed)).toMatch(
      /Snoozed by Alice Example until \{\{DATE\([^)]+, SHORT\)\}\} \{\{TIME\(/,
    );
    const stored = await h.world.instances.get(record);
    expect(Date.parse(stored!.snoozedUntil!)).toBe(h.world.now.getTime() + 4 * 3600_000);
    expect(await h.world.ec2State(record.instanceId)).toBe('running');
  });

  it("snoozes until 09:00 tomorrow in the clicker's own time zone", async () => {
    const { record, cardId, card } = await nagged(h);
    const snooze = findAction(card, 'Snooze')!;

    await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(snooze.verb),
        data: { ...(snooze.data as object), snoozeChoice: 'tomorrow-09:00' },
      }),
    );

    const until = new Date((await h.world.instances.get(record))!.snoozedUntil!);
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
    });
    expect(berlin.format(until)).toBe('09:00');
    expect(until.getTime() - h.world.now.getTime()).toBeLessThanOrEqual(33 * 3600_000);
  });

  it('extends the threshold by the chosen amount', async () => {
    const { record, cardId, card } = await nagged(h);
    const extend = findAction(card, 'Extend')!;

    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(extend.verb),
        data: { ...(extend.data as object), snoozeChoice: '1h', extendChoice: '8h' },
      }),
    );

    expect(cardText(res.body!.value)).toMatch(/Threshold extended to .* by Alice Example/);
    const stored = await h.world.instances.get(record);
    expect(stored!.extensionSeconds).toBeGreaterThan(0);
    const audit = await h.world.audit.recent(5);
    expect(audit[0]).toMatchObject({ action: 'extend', result: 'ok' });
  });

  it('answers a stale button with a refreshed card and does nothing', async () => {
    // Arrange: the instance is stopped outside Teams after the card was posted.
    const { record, cardId, card } = await nagged(h);
    const snooze = findAction(card, 'Snooze')!;
    await h.world.monitor.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'stopped',
      time: h.world.now.toISOString(),
    });

    // Act
    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
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
    expect((await h.world.instances.get(record))!.snoozedUntil).toBeUndefined();
    expect((await h.world.audit.recent(5))[0]).toMatchObject({ action: 'snooze', result: 'stale' });
  });

  it('refuses a click from a channel that does not follow the group', async () => {
    const { record, cardId, card } = await nagged(h);
    const confirm = findAction(card, 'Yes, stop it')!;

    const res = await h.world.post(
      execute(
        h.connector.serviceUrl,
        cardId,
        { verb: String(confirm.verb), data: confirm.data as Record<string, unknown> },
        OTHER,
      ),
    );

    expect(res.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String(res.body!.value)).toMatch(/not subscribed to group `web`/);
    expect(await h.world.ec2State(record.instanceId)).toBe('running');
    expect((await h.world.audit.recent(5))[0]).toMatchObject({ action: 'stop', result: 'refused' });
  });

  it('rewrites the card when the instance is stopped outside Teams', async () => {
    const { record, cardId } = await nagged(h);
    h.connector.reset();

    await h.world.monitor.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'stopped',
      time: h.world.now.toISOString(),
    });

    const update = h.connector.updates.find((u) => u.id === cardId);
    expect(update?.conversationId).toBe(OPS);
    const card = cardsOf(update!.activity)[0];
    expect(cardText(card)).toMatch(/Stopped outside Teams after/);
    expect(findAction(card, 'Snooze')).toBeUndefined();
  });

  it('rewrites the card when the instance is terminated', async () => {
    const { record, cardId } = await nagged(h);
    h.connector.reset();

    await h.world.monitor.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'terminated',
      time: h.world.now.toISOString(),
    });

    const card = cardsOf(h.connector.updates.find((u) => u.id === cardId)!.activity)[0];
    expect(cardText(card)).toMatch(/Terminated/);
    expect(findAction(card, 'Yes, stop it')).toBeUndefined();
  });

  it('keeps the buttons and explains an EC2 refusal, doing nothing', async () => {
    const { record, cardId, card } = await nagged(h);
    const confirm = findAction(card, 'Yes, stop it')!;
    h.world.failStops(new AccessDeniedError('UnauthorizedOperation: not allowed to stop this instance'));

    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );

    const refreshed = res.body!.value;
    expect(adaptiveCardProblems(refreshed)).toEqual([]);
    expect(cardText(refreshed)).toMatch(/Could not stop web-1 .*not permitted to do that in AWS/);
    expect(findAction(refreshed, 'Yes, stop it')).toBeDefined();
    expect(await h.world.ec2State(record.instanceId)).toBe('running');
    expect((await h.world.audit.recent(5))[0]).toMatchObject({ action: 'stop', result: 'error' });
  });
});
