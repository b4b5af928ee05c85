/**
 * A click on an old message after the run was stopped must show what really
 * happened to the run (who stopped it, from where, and the runtime then),
 * however late the click comes and however many sweeps ran in between.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ChatCore, createChatCore } from '../../../src/chat/core/chatCore.js';
import { nagText } from '../../../src/chat/slack/blockKit.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import { outcomeText } from '../../../src/core/message/nagMessage.js';
import { createLogger } from '../../../src/log.js';
import type { ChatActor, ChatGateway } from '../../../src/ports/chat.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { FakeFleet, MemoryNagScheduler, RecordingPublisher, VirtualClock } from '../../support/fakes.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';

const LAUNCH = '2026-03-02T08:00:00.000Z';
const ana: ChatActor = { platform: 'slack', id: 'U0ANA', name: 'ana' };
const bob: ChatActor = { platform: 'teams', id: 'aad-bob', name: 'Bob' };
const slackChannel = { platform: 'slack' as const, channelId: 'C0WEB' };
const teamsChannel = { platform: 'teams' as const, channelId: '19:web@thread.tacv2' };

const gateway = (platform: 'slack' | 'teams'): ChatGateway => ({
  platform,
  post: async (channel) => ({ platform, channelId: channel.channelId, messageId: 'm1' }),
  update: async () => undefined,
  replyInThread: async () => undefined,
  postText: async (channel) => ({ platform, channelId: channel.channelId, messageId: 't1' }),
  notifyPrivately: async () => undefined,
});

let clock: VirtualClock;
let fleet: FakeFleet;
let monitor: MonitorService;
let core: ChatCore;
let record: InstanceRecord;

beforeEach(async () => {
  clock = new VirtualClock(new Date(LAUNCH));
  fleet = new FakeFleet();
  const db = openDatabase(':memory:');
  const store = new SqliteInstanceStore(db, { clock: clock.now });
  monitor = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier: { notify: async () => undefined },
    events: new RecordingPublisher(),
    clock: clock.now,
    settings: testMonitorSettings({ defaultThresholdSeconds: 60 }),
    sweepObservesStopped: true,
  });
  core = createChatCore({
    monitor,
    fleet,
    audit: new SqliteAuditLog(db),
    instances: store,
    subscriptions: new SqliteSubscriptionStore(db),
    idempotency: new SqliteIdempotencyStore(db),
    gateways: [gateway('slack'), gateway('teams')],
    fallbackChannels: { slack: slackChannel, teams: teamsChannel },
    clock: clock.now,
    log: createLogger('test', 'ERROR'),
  });
  const inst = fleet.add({
    launchTime: LAUNCH,
    tags: { Monitor: 'true', MonitorGroup: 'web', Name: 'web-1' },
  });
  await monitor.handleStateChange({ ...inst, state: 'running', time: LAUNCH });
  record = (await store.get(inst))!;
});

const stop = (actor: ChatActor, requestId: string) =>
  core.actions.handle({
    action: 'stop',
    target: { region: record.region, instanceId: record.instanceId, launchTime: LAUNCH, group: 'web' },
    ctx: { channel: actor.platform === 'slack' ? slackChannel : teamsChannel, actor, requestId },
  });

describe('a click on an old message after a Stop', () => {
  it('shows who stopped the run, from where, and its runtime at that moment', async () => {
    // Arrange: @ana stops it from Slack 1m22s after launch; EC2 reports the stop; sweeps run for 15 minutes.
    clock.advance(82);
    expect((await stop(ana, 'r1')).status).toBe('done');
    clock.advance(8);
    fleet.set(record, { state: 'stopped' });
    for (let i = 0; i < 90; i++) {
      await monitor.reconcile();
      clock.advance(10);
    }

    // Act: Bob presses Stop on the old card in Teams.
    const late = await stop(bob, 'r2');

    // Assert
    expect(late.status).toBe('stale');
    expect(late.message?.outcome).toEqual({ kind: 'stopped', by: ana, runtimeSeconds: 82 });
    expect(outcomeText(late.message!.outcome!, undefined, 'teams')).toBe(
      'Stopped by @ana (in Slack) after 1m 22s',
    );
    expect(late.message?.facts.runtimeSeconds).toBe(82);
    expect(nagText(late.message!)).not.toContain('outside');
    expect(late.notice).toContain('stopped by @ana after 1m 22s');
  });

  it('says "stopped outside" with the runtime at the stop when nobody stopped it through Lights Out', async () => {
    clock.advance(15 * 60);
    fleet.set(record, { state: 'stopped' });
    await monitor.reconcile();
    clock.advance(3600);
    await monitor.reconcile();

    const late = await stop(ana, 'r3');

    expect(late.message?.outcome).toEqual({ kind: 'stopped-outside', runtimeSeconds: 15 * 60 });
    expect(late.message?.facts.runtimeSeconds).toBe(15 * 60);
  });
});

describe('a click on a message of a run that was relaunched before the engine saw it', () => {
  it('does not stop the new run', async () => {
    // Arrange: stopped and started again outside Lights Out; no event or sweep has seen the new run yet.
    clock.advance(3600);
    fleet.set(record, { state: 'running', launchTime: clock.now().toISOString() });
    clock.advance(60);

    // Act: someone presses Stop on the message of the old run.
    const result = await stop(ana, 'r4');

    // Assert
    expect(result.status).toBe('stale');
    expect(result.message?.outcome).toEqual({ kind: 'restarted' });
    expect(result.notice).toContain('was restarted since this message was posted');
    expect((await fleet.find('eu-west-1', { instanceIds: [record.instanceId] }))[0]?.state).toBe('running');
  });
});
