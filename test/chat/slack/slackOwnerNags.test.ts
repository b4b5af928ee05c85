/**
 * Nags that reach the owner and repeats that get louder, through the real
 * Slack gateway against the loopback Web API: `users.lookupByEmail`,
 * `conversations.open`, the DM with the same buttons, `reply_broadcast`,
 * escalation mentions, failed lookups (a warning, remembered, the channel
 * instead), a click on the DM rewriting every copy, and `/ec2 mine`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ChatCore, createChatCore } from '../../../src/chat/core/chatCore.js';
import { OwnerReach } from '../../../src/chat/core/ownerReach.js';
import { slackActor } from '../../../src/chat/slack/slackActor.js';
import { SlackGateway } from '../../../src/chat/slack/slackGateway.js';
import { SlackOwnerDirectory } from '../../../src/chat/slack/slackOwnerDirectory.js';
import { createSlackWebClient } from '../../../src/chat/slack/slackWebClient.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import { encodeRunToken } from '../../../src/core/message/runToken.js';
import type { NagRouting } from '../../../src/core/nagRouting.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createLogger } from '../../../src/log.js';
import type { ChannelRef } from '../../../src/ports/subscriptionStore.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { useFakeSlackApi } from '../../support/fakeSlackApi.js';
import {
  FakeFleet,
  MemoryInstanceStore,
  MemoryNagScheduler,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';

const slack = useFakeSlackApi();
const WEB: ChannelRef = { platform: 'slack', channelId: 'C0WEB' };
const log = createLogger('test', 'ERROR');
const HOUR = 3600;

let clock: VirtualClock;
let fleet: FakeFleet;
let store: MemoryInstanceStore;
let subscriptions: SqliteSubscriptionStore;
let core: ChatCore;
let monitor: MonitorService;

function build(repeatMode: 'update' | 'new-message' = 'update', channelTimeoutSeconds = 15) {
  // The wall clock: the SQLite idempotency store sweeps claims by it.
  clock = new VirtualClock(new Date());
  fleet = new FakeFleet();
  store = new MemoryInstanceStore({ clock: clock.now });
  const db = openDatabase(':memory:');
  subscriptions = new SqliteSubscriptionStore(db);
  const client = createSlackWebClient({ apiUrl: slack.apiUrl, botToken: 'xoxb-test-token' });
  monitor = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier: { notify: async () => undefined },
    events: new RecordingPublisher(),
    clock: clock.now,
    settings: testMonitorSettings({ defaultThresholdSeconds: HOUR }),
  });
  core = createChatCore({
    monitor,
    fleet,
    audit: new SqliteAuditLog(db),
    instances: store,
    subscriptions,
    idempotency: new SqliteIdempotencyStore(db),
    gateways: [new SlackGateway(client)],
    owners: new OwnerReach([new SlackOwnerDirectory(client)], clock.now),
    repeatMode,
    channelTimeoutSeconds,
    clock: clock.now,
    log,
  });
  return client;
}

const follow = (routing: NagRouting = {}) =>
  subscriptions.subscribe({
    group: 'web',
    channel: WEB,
    createdBy: 'slack:U0ADMIN1',
    createdAt: clock.now().toISOString(),
    ...routing,
  });

async function running(owner: string | undefined, name = 'web-1'): Promise<InstanceRecord> {
  const launchTime = new Date(clock.now().getTime() - 2 * HOUR * 1000).toISOString();
  const tags: Record<string, string> = { Monitor: 'true', MonitorGroup: 'web', Name: name };
  if (owner) tags.Owner = owner;
  const inst = fleet.add({ tags, launchTime });
  await monitor.handleStateChange({ ...inst, state: 'running', time: launchTime });
  return (await store.get(inst))!;
}

/** Delivers nag number `nagCount` of the run, as the engine would an hour apart. */
async function nag(record: InstanceRecord, nagCount: number) {
  const current = (await store.get(record))!;
  return core.delivery.deliverNag(buildNagNotification({ ...current, nagCount }, clock.now()));
}

const posts = (channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && !c.args.thread_ts);
const replies = (channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.args.thread_ts);
const text = (v: unknown) => JSON.stringify(v);

describe('nags that reach the owner in Slack', () => {
  beforeEach(() => void build());

  it('DMs the owner found by email with the same buttons, and adds the channel from the escalate-after nag on', async () => {
    // Arrange
    slack.userEmails.set('alice@example.com', 'U0ALICE01');
    await follow({
      route: 'owner-then-channel',
      escalateAfter: 3,
      escalateTo: [{ kind: 'user-group', id: 'S0OPS001' }],
    });
    const record = await running('Alice@Example.com');

    // Act: three nags an hour apart.
    await nag(record, 1);
    clock.advance(HOUR);
    await nag(record, 2);
    clock.advance(HOUR);
    await nag(record, 3);

    // Assert: one lookup and one DM, updated and replied to; the channel from nag 3, mentioning the group.
    expect(slack.callsTo('users.lookupByEmail').map((c) => c.args.email)).toEqual(['alice@example.com']);
    expect(slack.callsTo('conversations.open').map((c) => c.args.users)).toEqual(['U0ALICE01']);
    const dm = posts('D0ALICE01');
    expect(dm).toHaveLength(1);
    expect(text(dm[0]!.args.blocks)).toContain('lightsout.stop');
    expect(replies('D0ALICE01').map((c) => c.args.reply_broadcast)).toEqual([undefined, undefined]);
    const channel = posts('C0WEB');
    expect(channel).toHaveLength(1);
    expect(String(channel[0]!.args.text)).toMatch(/^<!subteam\^S0OPS001> /);
    expect(text(channel[0]!.args.blocks)).toContain('<!subteam^S0OPS001>');
    const refs = (await store.get(record))!.chatRefs;
    expect(refs.map((r) => [r.channelId, !!r.direct])).toEqual([
      ['D0ALICE01', true],
      ['C0WEB', false],
    ]);
  });

  it('sends every nag to the channel instead when the owner is not in Slack, with a warning, looking them up once', async () => {
    // Arrange: two instances of one unknown owner.
    await follow({ route: 'owner' });
    const a = await running('bob@example.com', 'web-a');
    const b = await running('bob@example.com', 'web-b');

    // Act
    await nag(a, 1);
    await nag(b, 1);
    clock.advance(HOUR / 2);
    await nag(a, 2);

    // Assert
    expect(slack.callsTo('users.lookupByEmail')).toHaveLength(1);
    expect(slack.callsTo('conversations.open')).toHaveLength(0);
    expect(posts('C0WEB')).toHaveLength(2);
    const warning = 'Owner "bob@example.com" was not found in Slack';
    expect(text(posts('C0WEB')[0]!.args.blocks)).toContain(
      JSON.stringify(`:warning: ${warning}`).slice(1, -1),
    );
    expect((await store.get(a))!.ownerWarning).toBe(warning);
    expect((await store.get(b))!.ownerWarning).toBe(warning);
  });

  it('nags the channel when the owner lookup hangs, instead of waiting for it', async () => {
    // Arrange: Slack answers the lookup only long after the channel timeout (1 s here).
    build('update', 1);
    slack.userEmails.set('alice@example.com', 'U0ALICE01');
    slack.failNext('users.lookupByEmail', { delayMs: 5000 });
    await follow({ route: 'owner' });
    const record = await running('alice@example.com');

    // Act
    const report = await nag(record, 1);

    // Assert
    expect(report.posted.map((r) => r.channelId)).toEqual(['C0WEB']);
    expect(posts('D0ALICE01')).toHaveLength(0);
    expect((await store.get(record))!.ownerWarning).toMatch(
      /^Owner "alice@example\.com" could not be looked up in time/,
    );
  });

  it('sends the nag to the channel when Slack refuses the DM for good, and looks the owner up again next time', async () => {
    // Arrange
    slack.userEmails.set('alice@example.com', 'U0ALICE01');
    await follow({ route: 'owner' });
    const record = await running('alice@example.com');
    slack.failNext('chat.postMessage', { error: 'channel_not_found', channel: 'D0ALICE01' });

    // Act
    const report = await nag(record, 1);
    clock.advance(HOUR / 2);
    await nag(record, 2);

    // Assert: the channel took the first nag; the second went to the DM again after a fresh lookup.
    expect(report.posted.map((r) => r.channelId)).toEqual(['C0WEB']);
    expect(report.undelivered).toBe(false);
    expect(slack.callsTo('users.lookupByEmail')).toHaveLength(2);
    expect(posts('D0ALICE01')).toHaveLength(2);
    expect(text(posts('C0WEB')[0]!.args.blocks)).toContain(
      'could not be sent a direct message (channel_not_found)',
    );
    expect((await store.get(record))!.ownerWarning).toBeUndefined();
  });

  it('rewrites every copy, the DM and the channel, when the owner clicks Stop in the DM', async () => {
    // Arrange
    await follow({ route: 'owner-then-channel', escalateAfter: 2 });
    const record = await running('U0ALICE01');
    await nag(record, 1);
    clock.advance(HOUR);
    await nag(record, 2);
    slack.calls.length = 0;

    // Act: the owner stops it from the DM, which no channel subscription covers.
    const result = await core.actions.handle({
      action: 'stop',
      target: {
        region: record.region,
        instanceId: record.instanceId,
        launchTime: record.launchTime,
        group: 'web',
      },
      ctx: {
        channel: { platform: 'slack', channelId: 'D0ALICE01' },
        actor: slackActor(createSlackWebClient({ apiUrl: slack.apiUrl, botToken: 'xoxb-test-token' }), {
          id: 'U0ALICE01',
          name: 'alice',
        }),
      },
    });

    // Assert
    expect(result.status).toBe('done');
    const updated = slack.callsTo('chat.update');
    expect(updated.map((c) => c.args.channel).sort()).toEqual(['C0WEB', 'D0ALICE01']);
    for (const u of updated) expect(text(u.args.blocks)).toContain('Stopped by <@U0ALICE01>');
  });

  it('refuses a click from a DM that holds no nag of the run, for someone who does not own it', async () => {
    // Arrange
    await follow({ route: 'owner' });
    const record = await running('U0ALICE01');
    await nag(record, 1);

    // Act
    const result = await core.actions.handle({
      action: 'stop',
      target: {
        region: record.region,
        instanceId: record.instanceId,
        launchTime: record.launchTime,
        group: 'web',
      },
      ctx: {
        channel: { platform: 'slack', channelId: 'D0MALLORY' },
        actor: { platform: 'slack', id: 'U0MALLORY' },
      },
    });

    // Assert
    expect(result.status).toBe('refused');
    expect(slack.callsTo('chat.update')).toHaveLength(0);
  });
});

describe('repeats that get louder in Slack', () => {
  it('broadcasts every Nth repeat reply to the channel and mentions @here from the escalate-after nag on', async () => {
    // Arrange
    build();
    await follow({
      broadcastEvery: 2,
      escalateAfter: 3,
      escalateTo: [{ kind: 'here' }, { kind: 'user', id: 'U0LEAD001' }],
    });
    const record = await running(undefined);

    // Act: five nags.
    for (let n = 1; n <= 5; n++) {
      await nag(record, n);
      clock.advance(HOUR);
    }

    // Assert: repeats 2 and 4 (nags 3 and 5) are broadcast; nags 3–5 mention the target.
    const threaded = replies('C0WEB');
    // The Web API client sends form fields, so the flag arrives as text.
    expect(threaded.map((c) => String(c.args.reply_broadcast ?? false))).toEqual([
      'false',
      'true',
      'false',
      'true',
    ]);
    expect(threaded.map((c) => String(c.args.text).startsWith('<!here> <@U0LEAD001> '))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(posts('C0WEB')).toHaveLength(1);
  });

  it('keeps SLACK_REPEAT_NAGS=new-message: each nag a new post, the escalated ones mentioning the target', async () => {
    // Arrange
    build('new-message');
    await follow({ escalateAfter: 2, escalateTo: [{ kind: 'here' }] });
    const record = await running(undefined);

    // Act
    await nag(record, 1);
    clock.advance(HOUR);
    await nag(record, 2);

    // Assert
    const channel = posts('C0WEB');
    expect(channel).toHaveLength(2);
    expect(replies('C0WEB')).toHaveLength(0);
    expect(String(channel[0]!.args.text)).not.toContain('<!here>');
    expect(String(channel[1]!.args.text)).toMatch(/^<!here> /);
  });
});

describe('/ec2 mine and subscribe options in Slack', () => {
  it('lists the caller’s instances by Slack id or by the email Slack reports, with buttons; says how to tag when none', async () => {
    // Arrange
    const client = build();
    slack.userEmails.set('alice@example.com', 'U0ALICE01');
    await running('alice@example.com', 'by-email');
    const priced = await running('U0ALICE01', 'by-id');
    await store.put(
      { ...priced, price: { hourlyUsd: 4.1, source: 'on-demand', at: clock.now().toISOString() } },
      { expectedVersion: priced.version },
    );
    await running('bob@example.com', 'not-hers');
    const commands = core.commands('/ec2');
    const as = (id: string) => ({ channel: WEB, actor: slackActor(client, { id }) });

    // Act
    const mine = await commands.handleText('mine', as('U0ALICE01'));
    const none = await commands.handleText('mine', as('U0NOBODY1'));

    // Assert
    expect(mine.kind).toBe('owned');
    if (mine.kind !== 'owned') return;
    expect(mine.visibility).toBe('private');
    expect(mine.messages.map((m) => m.facts.name).sort()).toEqual(['by-email', 'by-id']);
    expect(mine.messages.every((m) => m.actions.stop && m.token === encodeRunToken(m.run))).toBe(true);
    // The cost when the price is known (2h at $4.10/h), nothing where it is not.
    expect(mine.messages.map((m, i) => [m.facts.name, mine.intros[i]]).sort()).toEqual([
      ['by-email', ''],
      ['by-id', '$4.10/h · $8.20 so far'],
    ]);
    expect(none).toMatchObject({ kind: 'owned', messages: [] });
    expect(none.kind === 'owned' && none.empty).toMatch(
      /Tag yours Owner=<your email or your Slack user id \(U0NOBODY1\)>/,
    );
  });

  it('subscribes with routing options and answers a bad option privately with what works', async () => {
    // Arrange
    const client = build();
    const commands = core.commands('/ec2');
    const ctx = { channel: WEB, actor: slackActor(client, { id: 'U0ADMIN1' }) };

    // Act
    const ok = await commands.handleText(
      'subscribe web --route owner-then-channel --escalate-after 3 --escalate-to @here S0OPS001 --broadcast-every 2',
      ctx,
    );
    const badRoute = await commands.handleText('subscribe web --route boss', ctx);
    const teamsTag = await commands.handleText('subscribe web --escalate-to tag:abc', ctx);

    // Assert
    expect(ok).toMatchObject({ kind: 'text', visibility: 'channel' });
    expect(text(ok)).toContain(
      'owner-then-channel, escalate after 3, mention @here, S0OPS001, broadcast every 2nd repeat',
    );
    expect(await subscriptions.forGroup('web')).toMatchObject([
      {
        route: 'owner-then-channel',
        escalateAfter: 3,
        broadcastEvery: 2,
        escalateTo: [{ kind: 'here' }, { kind: 'user-group', id: 'S0OPS001' }],
      },
    ]);
    expect(badRoute).toMatchObject({
      kind: 'error',
      visibility: 'private',
      error: '--route "boss" is not a route; use channel, owner, owner-then-channel',
    });
    expect(teamsTag).toMatchObject({ kind: 'error', visibility: 'private' });
    expect(text(teamsTag)).toContain('Slack can mention @here, user groups');
  });
});
