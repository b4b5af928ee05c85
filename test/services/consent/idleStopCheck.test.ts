/**
 * Stop when idle, on moto: EC2 (RunInstances, StopInstances counted at the
 * fault proxy) and CloudWatch (metrics written with PutMetricData into
 * AWS/EC2 and CWAgent, relative to the virtual clock). A consent from chat,
 * the AutoStop tag or a group's --autostop is warned about once the run is
 * idle for its whole window and stopped after the grace period, unless
 * someone cancels or the run gets busy again; no data never stops anything.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../../src/aws/cloudWatchMetrics.js';
import { Ec2Fleet } from '../../../src/aws/ec2Fleet.js';
import { createChatCore } from '../../../src/chat/core/chatCore.js';
import { HOUR, MINUTE } from '../../../src/core/duration.js';
import { DEFAULT_IDLE_THRESHOLDS } from '../../../src/core/idle.js';
import type { RunRef } from '../../../src/core/instance.js';
import { createLogger } from '../../../src/log.js';
import { IdleStopCheck } from '../../../src/services/consent/idleStopCheck.js';
import { StopConsentService } from '../../../src/services/consent/stopConsentService.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { RunStopper } from '../../../src/services/monitor/stop.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { type Activity, CloudWatchData } from '../../support/cloudWatchData.js';
import {
  MemoryInstanceStore,
  MemoryNagScheduler,
  MemoryStopScheduler,
  RecordingNotifier,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { useMoto } from '../../support/moto.js';

const REGION = 'us-east-1';
const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };
const idleFor30m = { kind: 'idle' as const, forSeconds: 30 * MINUTE };
const quiet = (): Activity => ({ cpu: 0.5, network: 2_000 });

describe('stop when idle on moto', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  function world() {
    // moto stamps LaunchTime with the real time; the virtual clock starts a little after it.
    const clock = new VirtualClock(new Date(Math.ceil(Date.now() / 300_000) * 300_000 + HOUR * 1000));
    const config = { ...proxy.get().clientConfig, maxAttempts: 1 };
    const fleet = new Ec2Fleet((region) => new EC2Client({ ...config, region }));
    const store = new MemoryInstanceStore({ clock: clock.now });
    const db = openDatabase(':memory:');
    const audit = new SqliteAuditLog(db);
    const subscriptions = new SqliteSubscriptionStore(db);
    const stops = new MemoryStopScheduler();
    const monitor = new MonitorService({
      fleet,
      store,
      scheduler: new MemoryNagScheduler(),
      stopScheduler: stops,
      notifier: new RecordingNotifier(),
      events: new RecordingPublisher(),
      clock: clock.now,
      settings: {
        mode: 'opt-in',
        defaultGroup: 'render',
        defaultThresholdSeconds: 12 * HOUR,
        defaultRenotifySeconds: HOUR,
        regions: [REGION],
        tombstoneTtlSeconds: 24 * HOUR,
      },
    });
    const stopper = new RunStopper({ monitor, store, fleet, audit, clock: clock.now });
    const consents = new StopConsentService({ store, scheduler: stops, stopper, audit, clock: clock.now });
    const check = new IdleStopCheck({
      store,
      fleet,
      metrics: new CloudWatchMetrics((region) => new CloudWatchClient({ ...config, region })),
      consents,
      subscriptions,
      clock: clock.now,
      settings: { regions: [REGION], thresholds: DEFAULT_IDLE_THRESHOLDS, graceSeconds: 10 * MINUTE },
    });
    const data = new CloudWatchData(moto.clientConfig);
    // The chat core as the runtimes build it, with `stop … --when-idle` on.
    const chat = createChatCore({
      monitor,
      fleet,
      audit,
      instances: store,
      subscriptions,
      idempotency: new SqliteIdempotencyStore(db),
      gateways: [],
      idleStops: {
        consents,
        judge: (run, window) => check.judge(run, window),
        defaultWindowSeconds: 30 * MINUTE,
        checkEverySeconds: 5 * MINUTE,
        graceSeconds: 10 * MINUTE,
      },
      clock: clock.now,
      log: createLogger('test', 'ERROR'),
    });

    return {
      commands: chat.commands('/ec2'),
      clock,
      store,
      audit,
      subscriptions,
      consents,
      check,
      async launch(tags: Record<string, string> = {}): Promise<RunRef> {
        const res = await new EC2Client(moto.clientConfig).send(
          new RunInstancesCommand({
            ImageId: 'ami-12345678',
            MinCount: 1,
            MaxCount: 1,
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: Object.entries({ Monitor: 'true', ...tags }).map(([Key, Value]) => ({ Key, Value })),
              },
            ],
          }),
        );
        const id = res.Instances![0]!.InstanceId!;
        await monitor.handleStateChange({
          region: REGION,
          instanceId: id,
          state: 'running',
          time: clock.now().toISOString(),
        });
        const record = (await store.get({ region: REGION, instanceId: id }))!;
        return { region: REGION, instanceId: id, launchTime: record.launchTime };
      },
      /** Metrics from an hour before now to an hour after, 5-minute periods, `activity(minutes from now)`. */
      publish(run: RunRef, activity: (minutesFromNow: number) => Activity = quiet) {
        return data.publish(
          run.instanceId,
          new Date(clock.now().getTime() + HOUR * 1000),
          { fromMinutesAgo: 120 },
          (m) => activity(60 - m),
        );
      },
      stopCalls: () => proxy.get().count('StopInstances').forwarded,
    };
  }

  it('warns once the run is idle for the whole window, then stops it after the grace period, recording the consent', async () => {
    // Arrange
    const w = world();
    const run = await w.launch();
    await w.publish(run);
    await w.consents.give(run, idleFor30m, ana);

    // Act
    const first = await w.check.check();
    w.clock.advance(5 * MINUTE);
    const during = await w.check.check();
    w.clock.advance(5 * MINUTE);
    const last = await w.check.check();

    // Assert
    expect(first.warned).toEqual([`${REGION}/${run.instanceId}`]);
    expect(during.waiting).toEqual([`${REGION}/${run.instanceId}: warned; the grace period ends in 5m`]);
    expect(last.stopped).toEqual([`${REGION}/${run.instanceId}: stopping`]);
    expect(w.stopCalls()).toBe(1);
    const record = await w.store.get(run);
    expect(record?.lastStop).toMatchObject({ by: ana, consent: { kind: 'idle', by: ana } });
    const audit = await w.audit.recent(10);
    expect(audit.find((a) => a.action === 'consented-stop')).toMatchObject({
      actor: 'slack:U0ANA',
      result: 'ok',
      detail: expect.stringContaining('stop once idle for 30m, consented by @ana'),
    });
    expect(
      w.store.outbox.filter((e) => e.type === 'instance.stop-consent').map((e) => 'change' in e && e.change),
    ).toEqual(['scheduled', 'warned']);
  });

  it('Cancel during the grace period keeps it running', async () => {
    const w = world();
    const run = await w.launch();
    await w.publish(run);
    await w.consents.give(run, idleFor30m, ana);
    await w.check.check();

    await w.consents.cancel(run, { platform: 'teams', id: 'aad-bob', name: 'Bob' });
    w.clock.advance(15 * MINUTE);
    const after = await w.check.check();

    expect(after.checked).toBe(0);
    expect(w.stopCalls()).toBe(0);
    expect((await w.store.get(run))?.state).toBe('running');
  });

  it('waits with the reason while the run is busy or CloudWatch has no data, and calls the stop off when it gets busy again', async () => {
    // Arrange: one busy run, one without data, one idle that gets busy after the warning.
    const w = world();
    const busy = await w.launch();
    const silent = await w.launch();
    const wakes = await w.launch();
    await w.publish(busy, () => ({ cpu: 55, network: 2_000 }));
    await w.publish(wakes, (m) => (m > 2 ? { cpu: 80, network: 5e6 } : quiet()));
    for (const run of [busy, silent, wakes]) await w.consents.give(run, idleFor30m, ana);

    // Act
    const first = await w.check.check();
    // Ten minutes on, CloudWatch has the busy period that followed the warning.
    w.clock.advance(10 * MINUTE);
    const second = await w.check.check();

    // Assert
    expect(first.warned).toEqual([`${REGION}/${wakes.instanceId}`]);
    expect(first.waiting).toEqual([
      expect.stringMatching(new RegExp(`^${REGION}/${busy.instanceId}: not idle yet: CPU reached 55%`)),
      expect.stringMatching(
        new RegExp(`^${REGION}/${silent.instanceId}: not idle yet: no CPU data for the last 30m`),
      ),
    ]);
    expect(second.calledOff).toEqual([`${REGION}/${wakes.instanceId}`]);
    expect((await w.store.get(wakes))?.stopConsent).toEqual({
      ...idleFor30m,
      by: ana,
      givenAt: expect.any(String),
    });
    expect(w.stopCalls()).toBe(0);
  });

  it("acts on a group's --autostop idle:30m and the AutoStop=idle:30m tag, once per run", async () => {
    // Arrange
    const w = world();
    await w.subscriptions.subscribe({
      group: 'render',
      channel: { platform: 'slack', channelId: 'C0RENDER' },
      createdBy: 'slack:U0ANA',
      createdAt: w.clock.now().toISOString(),
      autostop: idleFor30m,
    });
    const byGroup = await w.launch();
    const byTag = await w.launch({ MonitorGroup: 'other', AutoStop: 'idle:30m' });
    await w.publish(byGroup);
    await w.publish(byTag);

    // Act
    const first = await w.check.check();
    const again = await w.check.check();

    // Assert
    expect(first.given).toEqual([`${REGION}/${byGroup.instanceId}: group render idle for 30m`]);
    expect(first.warned.sort()).toEqual(
      [`${REGION}/${byGroup.instanceId}`, `${REGION}/${byTag.instanceId}`].sort(),
    );
    expect(again.given).toEqual([]);
    expect((await w.store.get(byGroup))?.stopConsent?.by).toEqual({ source: 'group', detail: 'idle:30m' });
    expect((await w.store.get(byTag))?.stopConsent?.by).toEqual({
      source: 'tag',
      detail: 'AutoStop=idle:30m',
    });
  });

  it('stop --when-idle gives the consent and says what CloudWatch shows now, including that it cannot judge without data', async () => {
    // Arrange
    const w = world();
    const quietRun = await w.launch({ Name: 'render-1' });
    const silentRun = await w.launch({ Name: 'render-2' });
    await w.publish(quietRun);
    const ctx = { channel: { platform: 'slack' as const, channelId: 'C0RENDER' }, actor: ana };
    // Stop is allowed where the group's nags go.
    await w.subscriptions.subscribe({
      group: 'render',
      channel: ctx.channel,
      createdBy: 'slack:U0ANA',
      createdAt: w.clock.now().toISOString(),
    });

    // Act
    const quietReply = await w.commands.handleText('stop render-1 --when-idle --for 30m', ctx);
    const silentReply = await w.commands.handleText('stop render-2 --when-idle', ctx);
    const bad = await w.commands.handleText('stop render-1 --when-idle --for 2m', ctx);

    // Assert
    expect(quietReply).toMatchObject({ kind: 'text', visibility: 'channel' });
    expect(JSON.stringify(quietReply)).toContain('Stop when idle for 30m: render-1');
    expect(JSON.stringify(quietReply)).toContain('Right now it is idle for the whole 30m: CPU 0.5% avg');
    expect(JSON.stringify(silentReply)).toContain('Right now: no CPU data for the last 30m: not judged idle');
    expect((await w.store.get(quietRun))?.stopConsent).toMatchObject({
      kind: 'idle',
      forSeconds: 1800,
      by: ana,
    });
    expect((await w.store.get(silentRun))?.stopConsent).toMatchObject({ kind: 'idle', forSeconds: 1800 });
    expect(bad).toMatchObject({ kind: 'error', error: '--for "2m" is shorter than the minimum of 5m' });
    expect(w.stopCalls()).toBe(0);
  });
});
