/**
 * The chat core on in-memory ports (no AWS, no Slack): what only fakes can
 * show cheaply — AWS refusing a stop, a partial delivery failure across two
 * platforms, cleanup reports with and without a nag to reply to, and the
 * command extension hook.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ChatCore, createChatCore } from '../../../src/chat/core/chatCore.js';
import type { CommandExtension } from '../../../src/chat/core/commandExtension.js';
import { textReply } from '../../../src/chat/core/replies.js';
import { AccessDeniedError } from '../../../src/core/errors.js';
import type { InstanceCleanedUpEvent } from '../../../src/core/events.js';
import type { ChatMessageRef, ChatPlatform, InstanceRecord } from '../../../src/core/instance.js';
import type { NagMessage } from '../../../src/core/message/nagMessage.js';
import { decodeRunToken } from '../../../src/core/message/runToken.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createLogger } from '../../../src/log.js';
import type { ChatActor, ChatGateway } from '../../../src/ports/chat.js';
import type { StateTransition } from '../../../src/ports/fleet.js';
import type { ChannelRef } from '../../../src/ports/subscriptionStore.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import {
  FakeFleet,
  MemoryInstanceStore,
  MemoryNagScheduler,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';

class RecordingGateway implements ChatGateway {
  readonly posts: { channel: string; message: NagMessage }[] = [];
  readonly updates: { ref: ChatMessageRef; message: NagMessage }[] = [];
  readonly replies: { ref: ChatMessageRef; text: string }[] = [];
  readonly texts: { channel: string; text: string }[] = [];
  failPosts = 0;
  private seq = 0;
  constructor(readonly platform: ChatPlatform) {}
  async post(channel: ChannelRef, message: NagMessage): Promise<ChatMessageRef> {
    if (this.failPosts > 0) {
      this.failPosts -= 1;
      throw new Error(`${this.platform} is down`);
    }
    this.posts.push({ channel: channel.channelId, message });
    this.seq += 1;
    return { platform: this.platform, channelId: channel.channelId, messageId: `m${this.seq}` };
  }
  async update(ref: ChatMessageRef, message: NagMessage): Promise<void> {
    this.updates.push({ ref, message });
  }
  async replyInThread(ref: ChatMessageRef, text: string): Promise<void> {
    this.replies.push({ ref, text });
  }
  async postText(channel: ChannelRef, text: string): Promise<ChatMessageRef> {
    if (this.failPosts > 0) {
      this.failPosts -= 1;
      throw new Error(`${this.platform} is down`);
    }
    this.texts.push({ channel: channel.channelId, text });
    this.seq += 1;
    return { platform: this.platform, channelId: channel.channelId, messageId: `t${this.seq}` };
  }
  async notifyPrivately(): Promise<void> {}
}

class RefusingFleet extends FakeFleet {
  override async stop(region: string, ids: string[]): Promise<StateTransition[]> {
    throw new AccessDeniedError(
      `StopInstances in ${region} failed: UnauthorizedOperation: not allowed to stop ${ids[0]}`,
    );
  }
}

const clock = new VirtualClock(new Date('2026-03-02T21:00:00Z'));
const alice: ChatActor = { platform: 'slack', id: 'U0ALICE', name: 'alice' };
const slackChannel: ChannelRef = { platform: 'slack', channelId: 'C0WEB' };
const teamsChannel: ChannelRef = {
  platform: 'teams',
  channelId: '19:web@thread.tacv2',
  serviceUrl: 'https://smba.example/',
};

let fleet: RefusingFleet;
let store: MemoryInstanceStore;
let slack: RecordingGateway;
let teams: RecordingGateway;
let audit: SqliteAuditLog;
let core: ChatCore;
let workloadCalls: string[][];
let monitor: MonitorService;

beforeEach(async () => {
  clock.set('2026-03-02T21:00:00Z');
  fleet = new RefusingFleet();
  store = new MemoryInstanceStore({ clock: clock.now });
  const db = openDatabase(':memory:');
  const subscriptions = new SqliteSubscriptionStore(db);
  audit = new SqliteAuditLog(db);
  slack = new RecordingGateway('slack');
  teams = new RecordingGateway('teams');
  workloadCalls = [];
  const workload: CommandExtension = {
    word: 'workload',
    help: ['workload start <name>: starts a workload'],
    usage: 'workload start <name>',
    run: async (args) => {
      workloadCalls.push(args);
      return textReply([`started ${args[1]}`]);
    },
  };
  monitor = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier: { notify: async () => undefined },
    events: new RecordingPublisher(),
    clock: clock.now,
    settings: testMonitorSettings(),
  });
  core = createChatCore({
    monitor,
    fleet,
    audit,
    instances: store,
    subscriptions,
    idempotency: new SqliteIdempotencyStore(db),
    gateways: [slack, teams],
    extensions: [workload],
    clock: clock.now,
    log: createLogger('test', 'ERROR'),
  });
  await subscriptions.subscribe({
    group: 'web',
    channel: slackChannel,
    createdBy: 'slack:U0ALICE',
    createdAt: clock.now().toISOString(),
  });
  await subscriptions.subscribe({
    group: 'web',
    channel: teamsChannel,
    createdBy: 'teams:aad',
    createdAt: clock.now().toISOString(),
  });
});

async function runningInstance() {
  const inst = fleet.add({ tags: { Monitor: 'true', MonitorGroup: 'web', Name: 'web-1' } });
  await monitor.handleStateChange({
    region: inst.region,
    instanceId: inst.instanceId,
    state: 'running',
    time: inst.launchTime,
  });
  return (await store.get(inst))!;
}

/** SqliteIdempotencyStore sweeps expired keys by the wall clock: tests that count on a claim surviving run near it. */
function nearWallClock() {
  clock.set(new Date().toISOString());
}

function cleanedUp(
  record: InstanceRecord,
  outcomes: InstanceCleanedUpEvent['outcomes'],
): InstanceCleanedUpEvent {
  return { type: 'instance.cleaned-up', record, outcomes, at: clock.now().toISOString() };
}

describe('chat core', () => {
  it('tells the clicker in plain words when AWS refuses a stop, and keeps the buttons', async () => {
    // Arrange
    const record = await runningInstance();
    await core.delivery.deliverNag(buildNagNotification(record, clock.now()));
    const target = decodeRunToken(slack.posts[0]!.message.token)!;

    // Act
    const result = await core.actions.handle({
      action: 'stop',
      target,
      ctx: { channel: slackChannel, actor: alice, requestId: 'a1' },
    });

    // Assert
    expect(result.status).toBe('failed');
    expect(result.notice).toContain('Lights Out is not permitted to do that in AWS');
    expect(result.notice).toContain('the buttons still work');
    expect(result.message?.actions).toEqual({ stop: true, snooze: true, extend: true });
    expect((await store.get(record))!.state).toBe('running');
    expect(await audit.recent(5)).toEqual([
      expect.objectContaining({ actor: 'slack:U0ALICE', action: 'stop', result: 'error' }),
    ]);
  });

  it('posts to Slack and Teams, and a retry after a partial failure only redoes the failed platform', async () => {
    // Arrange
    const record = await runningInstance();
    const nag = buildNagNotification(record, clock.now());
    teams.failPosts = 1;

    // Act
    await expect(core.delivery.deliverNag(nag, 'sns#1')).rejects.toThrow(
      'chat delivery failed for teams:19:web@thread.tacv2',
    );
    await core.delivery.deliverNag(nag, 'sns#1');
    await core.delivery.deliverNag(nag, 'sns#1');

    // Assert
    expect(slack.posts).toHaveLength(1);
    expect(teams.posts).toHaveLength(1);
    expect((await store.get(record))!.chatRefs.map((r) => r.platform).sort()).toEqual(['slack', 'teams']);
  });

  it('rewrites the run’s messages on every platform after an action', async () => {
    const record = await runningInstance();
    await core.delivery.deliverNag(buildNagNotification(record, clock.now()));
    const target = decodeRunToken(teams.posts[0]!.message.token)!;

    const result = await core.actions.handle({
      action: 'extend',
      target,
      choice: '4h',
      ctx: { channel: teamsChannel, actor: { platform: 'teams', id: 'aad-bob', name: 'Bob' } },
    });

    expect(result.status).toBe('done');
    expect(result.updatedRefs.map((r) => r.platform).sort()).toEqual(['slack', 'teams']);
    // 13h into a 12h threshold, +4h counts from now: the engine's rule, reported as is.
    expect(slack.updates[0]!.message.outcome).toEqual({
      kind: 'extended',
      by: { platform: 'teams', id: 'aad-bob', name: 'Bob' },
      thresholdSeconds: 17 * 3600,
    });
  });

  it('refuses an Extend past the run’s total extension cap (7d by default), saying what is left', async () => {
    // Arrange: 13h into a 12h threshold (that hour counts too), then extended six times by a day.
    const record = await runningInstance();
    const target = { ...record, group: 'web' };
    const extend = (choice: string, requestId: string) =>
      core.actions.handle({
        action: 'extend',
        target,
        choice,
        ctx: { channel: slackChannel, actor: alice, requestId },
      });
    for (let i = 0; i < 6; i++) expect((await extend('24h', `e${i}`)).status).toBe('done');

    // Act
    const refused = await extend('24h', 'e6');
    const fits = await extend('8h', 'e7');

    // Assert
    expect(refused.status).toBe('refused');
    expect(refused.notice).toBe(
      "Not extended: a run's threshold can be extended by 7d in total (MAX_EXTENSION), and at most 23h more can be added. Stop the instance, or raise its Threshold tag if it really needs to run longer.",
    );
    expect(refused.message?.actions.extend).toBe(true);
    expect(fits.status).toBe('done');
    expect((await store.get(record))!.extensionSeconds).toBe(6 * 86_400 + 9 * 3600);
    expect((await audit.recent(2)).map((a) => a.result)).toEqual(['ok', 'refused']);
  });

  it('reports a cleanup in the nag’s thread, once, when the instance was nagged', async () => {
    // Arrange
    nearWallClock();
    const record = await runningInstance();
    await core.delivery.deliverNag(buildNagNotification(record, clock.now()));
    const event = cleanedUp((await store.get(record))!, [
      { hook: 'route53', ok: true, summary: 'removed web-1.internal A' },
      { hook: 'webhook', ok: true, summary: 'webhook ok' },
    ]);

    // Act
    await core.delivery.deliverEvent(event, 'sns#c1');
    await core.delivery.deliverEvent(event, 'sns#c1');

    // Assert
    const line = `${record.instanceId} (web-1) terminated · removed web-1.internal A · webhook ok`;
    expect(slack.replies.map((r) => [r.ref.messageId, r.text])).toEqual([['m1', line]]);
    expect(teams.replies.map((r) => r.text)).toEqual([line]);
    expect([...slack.texts, ...teams.texts]).toEqual([]);
  });

  it('posts the cleanup report, failures included, to every subscribed channel when nobody was nagged', async () => {
    // Arrange
    nearWallClock();
    const record = await runningInstance();
    const event = cleanedUp(record, [
      { hook: 'cloudmap', ok: true, summary: 'deregistered from srv-123' },
      { hook: 'webhook', ok: false, summary: 'webhook failed: HTTP 500' },
    ]);
    teams.failPosts = 1;

    // Act: Teams fails first; the redelivery only redoes Teams.
    await expect(core.delivery.deliverEvent(event, 'sns#c2')).rejects.toThrow(
      'chat delivery failed for teams:19:web@thread.tacv2',
    );
    await core.delivery.deliverEvent(event, 'sns#c2');
    await core.delivery.deliverEvent(event, 'sns#c2');

    // Assert
    const line = `⚠️ ${record.instanceId} (web-1) terminated · deregistered from srv-123 · webhook failed: HTTP 500`;
    expect(slack.texts).toEqual([{ channel: 'C0WEB', text: line }]);
    expect(teams.texts).toEqual([{ channel: '19:web@thread.tacv2', text: line }]);
    expect([...slack.replies, ...teams.replies]).toEqual([]);
  });

  it('posts the cleanup report of an unfollowed group to the fallback channel', async () => {
    // Arrange: a group no channel follows; only Slack has a fallback channel.
    const fallbackCore = createChatCore({
      monitor,
      fleet,
      audit,
      instances: store,
      subscriptions: new SqliteSubscriptionStore(openDatabase(':memory:')),
      idempotency: new SqliteIdempotencyStore(openDatabase(':memory:')),
      gateways: [slack, teams],
      fallbackChannels: { slack: { platform: 'slack', channelId: 'C0OPS' } },
      clock: clock.now,
      log: createLogger('test', 'ERROR'),
    });
    const record = await runningInstance();

    // Act
    const sent = await fallbackCore.delivery.deliverEvent(
      cleanedUp(record, [{ hook: 'route53', ok: true, summary: 'removed web-1.internal A' }]),
    );

    // Assert
    expect(slack.texts).toEqual([
      { channel: 'C0OPS', text: `${record.instanceId} (web-1) terminated · removed web-1.internal A` },
    ]);
    expect(teams.texts).toEqual([]);
    expect(sent).toEqual([expect.objectContaining({ platform: 'slack', channelId: 'C0OPS' })]);
  });

  it('hands `workload …` to the registered extension and lists it in help', async () => {
    const commands = core.commands('/ec2');

    const reply = await commands.handleText('workload start web-stack', {
      channel: slackChannel,
      actor: alice,
    });
    const help = await commands.handleText('help', { channel: slackChannel, actor: alice });

    expect(reply).toMatchObject({ kind: 'text', lines: ['started web-stack'] });
    expect(workloadCalls).toEqual([['start', 'web-stack']]);
    expect(help.kind === 'text' && help.lines).toContain('/ec2 workload start <name>: starts a workload');
  });
});
