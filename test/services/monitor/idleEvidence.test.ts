/**
 * The nag's idle evidence, from CloudWatch on moto: the sweep reads every run
 * about to be nagged in one batched call, the nags take it from memory, a
 * sweep that sees nothing new writes nothing, and a CloudWatch failure never
 * holds a nag back.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../../src/aws/cloudWatchMetrics.js';
import { HOUR } from '../../../src/core/duration.js';
import { evidenceText } from '../../../src/core/idle.js';
import { IdleEvidenceReader } from '../../../src/services/monitor/idleEvidence.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { CloudWatchData } from '../../support/cloudWatchData.js';
import {
  FakeFleet,
  MemoryInstanceStore,
  MemoryNagScheduler,
  RecordingNotifier,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';
import { useMoto } from '../../support/moto.js';
import { LAUNCH } from './harness.js';

const REGION = 'eu-west-1';

describe('idle evidence in nags', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  function world() {
    const clock = new VirtualClock(new Date(LAUNCH));
    const fleet = new FakeFleet();
    const store = new MemoryInstanceStore({ clock: clock.now });
    const scheduler = new MemoryNagScheduler();
    const notifier = new RecordingNotifier();
    const metrics = new CloudWatchMetrics(
      (region) => new CloudWatchClient({ ...proxy.get().clientConfig, region, maxAttempts: 1 }),
    );
    const service = new MonitorService({
      fleet,
      store,
      scheduler,
      notifier,
      events: new RecordingPublisher(),
      clock: clock.now,
      settings: testMonitorSettings({ regions: [REGION] }),
      sweepObservesStopped: true,
      idleEvidence: new IdleEvidenceReader(metrics, { windowSeconds: 2 * HOUR, clock: clock.now }),
    });
    const data = new CloudWatchData({ ...moto.clientConfig, region: REGION });
    return { clock, fleet, store, scheduler, notifier, metrics, service, data };
  }

  async function launch(w: ReturnType<typeof world>, threshold: string) {
    const i = w.fleet.add({ launchTime: LAUNCH, tags: { Monitor: 'true', Threshold: threshold } });
    await w.service.handleStateChange({
      region: REGION,
      instanceId: i.instanceId,
      state: 'running',
      time: LAUNCH,
    });
    return i;
  }

  it('reads the runs about to be nagged in one call per sweep, and the nags carry it without another', async () => {
    // Arrange: three runs due at 10:00, one not due for hours.
    const w = world();
    const due = [await launch(w, '2'), await launch(w, '2'), await launch(w, '2')];
    await launch(w, '12');
    const at0955 = new Date('2026-03-02T09:55:00Z');
    await w.data.publish(due[0]!.instanceId, at0955, { fromMinutesAgo: 115 }, () => ({
      cpu: 0.4,
      network: 500,
    }));
    await w.data.publish(due[1]!.instanceId, at0955, { fromMinutesAgo: 115 }, () => ({
      cpu: 62,
      network: 9e6,
    }));
    w.clock.set('2026-03-02T09:57:00Z');
    const versions = async () => Promise.all(due.map(async (i) => (await w.store.get(i))!.version));
    const before = await versions();

    // Act: two sweeps before the nags, then the nags.
    await w.service.reconcile();
    w.clock.set('2026-03-02T09:58:00Z');
    await w.service.reconcile();
    for (const i of due) {
      const schedule = (await w.scheduler.get(i))!;
      w.clock.set(schedule.dueAt);
      await w.service.handleNagDue(schedule);
    }

    // Assert
    expect(proxy.get().count('GetMetricData').forwarded).toBe(1);
    expect(w.metrics.stats.queries).toBe(9); // 3 runs × CPU, NetworkIn, NetworkOut; not the run due at 20:00
    expect(await versions()).toEqual(before.map((v) => v + 2)); // the nag's claim and its send, nothing from the sweeps
    const lines = w.notifier.sent.map((n) => (n.idle ? evidenceText(n.idle) : undefined));
    expect(lines).toEqual([
      'CPU 0.4% avg over the last 2h · network 24 KB',
      'CPU 62% avg over the last 2h · network 432 MB',
      'no CloudWatch data for the last 2h',
    ]);
  });

  it('reads the one run a nag is about when no sweep read it first (a Lambda nag function)', async () => {
    const w = world();
    const i = await launch(w, '2');
    await w.data.publish(i.instanceId, new Date('2026-03-02T09:55:00Z'), { fromMinutesAgo: 60 }, () => ({
      cpu: 3,
      network: 1_000,
    }));
    const schedule = (await w.scheduler.get(i))!;
    w.clock.set(schedule.dueAt);

    await w.service.handleNagDue(schedule);

    expect(proxy.get().count('GetMetricData').forwarded).toBe(1);
    expect(evidenceText(w.notifier.sent[0]!.idle!)).toBe('CPU 3% avg over the last 2h · network 26 KB');
  });

  it('sends the nag without the line when CloudWatch fails', async () => {
    const w = world();
    const i = await launch(w, '2');
    proxy.get().addRule({ action: 'GetMetricData', fault: { kind: 'error', status: 500 } });
    const schedule = (await w.scheduler.get(i))!;
    w.clock.set(schedule.dueAt);

    await w.service.handleNagDue(schedule);

    expect(w.notifier.sent).toHaveLength(1);
    expect(w.notifier.sent[0]!.idle).toBeUndefined();
  });
});
