/**
 * Chat delivery against misbehaving peers: the loopback Slack Web API
 * answering each permanent error and answering late, and the loopback Bot
 * Framework connector answering 403, 404 and 5xx. Posts are counted at the
 * peers. Stores are the single process's SQLite ones.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatDelivery, DeliveryError } from '../../../src/chat/core/delivery.js';
import { SLACK_PERMANENT_ERRORS } from '../../../src/chat/core/deliveryErrors.js';
import { RunLedger } from '../../../src/chat/core/runLedger.js';
import { SlackGateway } from '../../../src/chat/slack/slackGateway.js';
import { createSlackPostClient, createSlackWebClient } from '../../../src/chat/slack/slackWebClient.js';
import { createTeamsTransport } from '../../../src/chat/teams/teamsApp.js';
import { loadConfig } from '../../../src/config/index.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import type { NagNotification } from '../../../src/core/notification.js';
import { createLogger } from '../../../src/log.js';
import type { ChannelRef } from '../../../src/ports/subscriptionStore.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { useFakeSlackApi } from '../../support/fakeSlackApi.js';
import { VirtualClock } from '../../support/fakes.js';

const LAUNCH = '2026-11-20T08:00:00.000Z';
const log = createLogger('test', 'ERROR');
const WEB: ChannelRef = { platform: 'slack', channelId: 'C0WEB' };
const FALLBACK: ChannelRef = { platform: 'slack', channelId: 'C0FALLBACK' };

const record: InstanceRecord = {
  region: 'us-east-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: LAUNCH,
  state: 'running',
  stateChangedAt: LAUNCH,
  tags: { Monitor: 'true', MonitorGroup: 'web' },
  group: 'web',
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 0,
  warnings: [],
  chatRefs: [],
  version: 0,
};

const nag = (nagCount: number, dueAt: string): NagNotification => ({
  kind: 'nag',
  instanceId: record.instanceId,
  region: record.region,
  group: 'web',
  launchTime: LAUNCH,
  runtimeSeconds: 7200,
  thresholdSeconds: 3600,
  nagCount,
  warnings: [],
  consoleUrl: 'https://console.example/',
  dueAt,
});

describe('chat delivery against failing peers', () => {
  const slack = useFakeSlackApi();
  let connector: FakeBotConnector;
  let clock: VirtualClock;
  let instances: SqliteInstanceStore;
  let subscriptions: SqliteSubscriptionStore;

  beforeAll(async () => {
    connector = await startFakeBotConnector();
  });
  afterAll(() => connector.close());

  beforeEach(async () => {
    connector.reset();
    clock = new VirtualClock(new Date('2026-11-20T10:00:00.000Z'));
    const db = openDatabase(':memory:');
    instances = new SqliteInstanceStore(db, { clock: clock.now });
    subscriptions = new SqliteSubscriptionStore(db);
    await instances.put(record, { expectedVersion: 0 });
    idempotency = new SqliteIdempotencyStore(db);
  });
  let idempotency: SqliteIdempotencyStore;

  function delivery(channelTimeoutSeconds = 5) {
    const token = { apiUrl: slack.apiUrl, botToken: 'xoxb-test-token' };
    const teams = createTeamsTransport(loadConfig({ TEAMS_ENABLED: 'true' }).teams, log).gateway;
    return new ChatDelivery({
      gateways: [
        new SlackGateway(createSlackWebClient(token), createSlackPostClient(token, channelTimeoutSeconds)),
        teams,
      ],
      subscriptions,
      instances,
      ledger: new RunLedger(idempotency),
      fallbackChannels: { slack: FALLBACK },
      repeatMode: 'update',
      channelTimeoutSeconds,
      clock: clock.now,
      log,
    });
  }

  const subscribe = (channel: ChannelRef, group = 'web') =>
    subscriptions.subscribe({ group, channel, createdBy: 'U0ALICE', createdAt: LAUNCH });
  const postsTo = (channel: string) =>
    slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && !c.args.thread_ts);

  it.each(
    [...SLACK_PERMANENT_ERRORS].filter((e) =>
      [
        'channel_not_found',
        'not_in_channel',
        'is_archived',
        'invalid_auth',
        'account_inactive',
        'token_revoked',
        'missing_scope',
      ].includes(e),
    ),
  )('marks the nag undelivered on %s, tells the fallback channel once and does not retry', async (error) => {
    // Arrange
    await subscribe(WEB);
    const d = delivery();
    slack.failNext('chat.postMessage', { error });
    if (error === 'not_in_channel')
      slack.failNext('conversations.join', { error: 'method_not_supported_for_channel_type' });

    // Act: the nag, then the next one an hour later, refused the same way.
    const first = await d.deliverNag(nag(1, '2026-11-20T10:00:00.000Z'));
    clock.advance(3600);
    slack.failNext('chat.postMessage', { error });
    if (error === 'not_in_channel')
      slack.failNext('conversations.join', { error: 'method_not_supported_for_channel_type' });
    const second = await d.deliverNag(nag(2, '2026-11-20T11:00:00.000Z'));

    // Assert
    expect(first.undelivered).toBe(true);
    expect(second.undelivered).toBe(true);
    expect(await instances.get(record)).toMatchObject({
      undelivered: true,
      undeliveredReason: `slack:C0WEB ${error}`,
    });
    const reports = postsTo('C0FALLBACK');
    expect(reports).toHaveLength(1);
    expect(String(reports[0]!.args.text)).toContain(error);
    expect(postsTo('C0WEB')).toHaveLength(2);
    expect((await subscriptions.forGroup('web'))[0]?.broken).toMatchObject({ reason: error });
  });

  it('clears the undelivered mark once a later nag reaches the channel', async () => {
    // Arrange: the first nag is refused for good, so the record is marked undelivered.
    await subscribe(WEB);
    const d = delivery();
    slack.failNext('chat.postMessage', { error: 'is_archived' });
    await d.deliverNag(nag(1, '2026-11-20T10:00:00.000Z'));
    expect(await instances.get(record)).toMatchObject({ undelivered: true });

    // Act: the channel is back (unarchived) for the next nag.
    clock.advance(3600);
    const second = await d.deliverNag(nag(2, '2026-11-20T11:00:00.000Z'));

    // Assert
    expect(second.undelivered).toBe(false);
    expect(second.posted.map((r) => r.channelId)).toContain('C0WEB');
    const after = await instances.get(record);
    expect(after?.undelivered).toBeUndefined();
    expect(after?.undeliveredReason).toBeUndefined();
  });

  it('delivers to a healthy channel although another channel of the group does not answer in time', async () => {
    // Arrange: C0SLOW answers (posts and lookups) long after the 1 s channel timeout.
    await subscribe(WEB);
    await subscribe({ platform: 'slack', channelId: 'C0SLOW' });
    slack.failNext('chat.postMessage', { delayMs: 3000, channel: 'C0SLOW' });
    slack.failNext('conversations.history', { delayMs: 3000, channel: 'C0SLOW' });

    // Act
    const attempt = await delivery(1)
      .deliverNag(nag(1, '2026-11-20T10:00:00.000Z'))
      .catch((err: unknown) => err);

    // Assert: only the slow channel failed (and will be retried); the other got its nag.
    expect(attempt).toBeInstanceOf(DeliveryError);
    expect((attempt as DeliveryError).failures.map((f) => f.channel)).toEqual(['slack:C0SLOW']);
    expect(postsTo('C0WEB')).toHaveLength(1);
    expect((await instances.get(record))?.chatRefs.map((r) => r.channelId)).toEqual(['C0WEB']);
  });

  it('posts exactly once when Slack applies a post but answers after the client gave up', async () => {
    // Arrange: a 2 s channel timeout gives the post client 1 s; Slack answers after 1.5 s.
    await subscribe(WEB);
    slack.failNext('chat.postMessage', { delayMs: 1500 });
    const d = delivery(2);

    // Act: the nag, and the same nag handed over again (a retry of the whole delivery).
    const first = await d.deliverNag(nag(1, '2026-11-20T10:00:00.000Z'));
    const again = await d.deliverNag(nag(1, '2026-11-20T10:05:00.000Z')).catch((err: unknown) => err);

    // Assert: one post at the peer, found again by its metadata instead of posted twice.
    expect(postsTo('C0WEB')).toHaveLength(1);
    expect(postsTo('C0WEB')[0]!.args.metadata).toMatchObject({
      event_type: 'lightsout_nag',
      event_payload: { instance: record.instanceId, nag: 1 },
    });
    expect(slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(first.posted).toEqual([{ platform: 'slack', channelId: 'C0WEB', messageId: expect.any(String) }]);
    expect(again).not.toBeInstanceOf(Error);
    expect((await instances.get(record))?.chatRefs).toEqual(first.posted);
  });

  it.each([403, 404])(
    'marks a Teams channel whose connector answers %i as undelivered, without retrying',
    async (status) => {
      // Arrange
      await subscribe({
        platform: 'teams',
        channelId: '19:ops@thread.tacv2',
        serviceUrl: connector.serviceUrl,
        tenantId: 'tenant-1',
      });
      connector.failNext(status, 5);

      // Act
      const report = await delivery().deliverNag(nag(1, '2026-11-20T10:00:00.000Z'));

      // Assert
      expect(report.undelivered).toBe(true);
      expect((await instances.get(record))?.undeliveredReason).toContain(`teams:19:ops@thread.tacv2`);
      expect(postsTo('C0FALLBACK')).toHaveLength(0);
    },
  );

  it.each([
    [403, 'BotNotInConversationRoster'],
    [404, 'ConversationNotFound'],
  ])(
    'reads the Agents SDK connector error %i %s: the nag is undelivered with that reason and the subscription broken',
    async (status, code) => {
      // Arrange: the bot was removed from the team (or the conversation deleted); the connector says which.
      const ops: ChannelRef = {
        platform: 'teams',
        channelId: '19:ops@thread.tacv2',
        serviceUrl: connector.serviceUrl,
        tenantId: 'tenant-1',
      };
      await subscribe(ops);
      connector.failNext(status, 5, code);

      // Act
      const report = await delivery().deliverNag(nag(1, '2026-11-20T10:00:00.000Z'));
      const again = await delivery().deliverNag(nag(1, '2026-11-20T10:05:00.000Z'));

      // Assert: the SDK's HttpError is read for the connector's code, and nothing is retried.
      expect(report.undelivered).toBe(true);
      expect((await instances.get(record))?.undeliveredReason).toContain(code);
      expect((await subscriptions.forGroup('web'))[0]?.broken).toMatchObject({ reason: code });
      expect(again.posted).toEqual([]);
      expect(connector.sent).toEqual([]);
    },
  );

  it('retries a Teams channel whose connector answers 502', async () => {
    // Arrange
    await subscribe({
      platform: 'teams',
      channelId: '19:ops@thread.tacv2',
      serviceUrl: connector.serviceUrl,
      tenantId: 'tenant-1',
    });
    connector.failNext(502, 10);

    // Act
    const attempt = await delivery()
      .deliverNag(nag(1, '2026-11-20T10:00:00.000Z'))
      .catch((err: unknown) => err);

    // Assert
    expect(attempt).toBeInstanceOf(DeliveryError);
    expect((await instances.get(record))?.undelivered).toBeUndefined();
  });
});
