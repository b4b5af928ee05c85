/**
 * Sweeps and nags never wait behind a hung call: moto behind the fault proxy,
 * one region's (or one instance's) DescribeInstances held. The other region
 * is swept, and the other instance nagged, while the held call still hangs.
 */
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Fleet } from '../../../src/aws/ec2Fleet.js';
import { HOUR } from '../../../src/core/duration.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { MemoryNagScheduler, RecordingNotifier, VirtualClock } from '../../support/fakes.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();
const faults = useFaultProxy(moto);

beforeEach(async () => {
  await moto.reset();
  faults.reset();
});

async function launch(region: string, name: string) {
  const ec2 = new EC2Client({ ...moto.clientConfig, region });
  const res = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Monitor', Value: 'true' },
            { Key: 'Threshold', Value: '1' },
            { Key: 'Name', Value: name },
          ],
        },
      ],
    }),
  );
  return res.Instances![0]!;
}

/** The engine as the single process builds it, its EC2 calls going through the fault proxy. */
function engine(regions: string[], start: Date) {
  const clock = new VirtualClock(start);
  const store = new SqliteInstanceStore(openDatabase(':memory:'), { clock: clock.now });
  const notifier = new RecordingNotifier();
  const fleet = new Ec2Fleet(
    (region) => new EC2Client({ ...faults.get().clientConfig, region, maxAttempts: 1 } as never),
  );
  const service = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier,
    events: { publish: async () => undefined },
    clock: clock.now,
    settings: testMonitorSettings({ regions }),
    sweepObservesStopped: true,
  });
  return { service, store, notifier, clock };
}

describe('hung EC2 calls hold up only themselves', () => {
  it('sweeps the other regions while one region hangs', { timeout: 60_000 }, async () => {
    // Arrange: us-west-2 is listed first and hangs.
    const east = await launch('us-east-1', 'east-1');
    const { service, store } = engine(['us-west-2', 'us-east-1'], new Date());
    const proxy = faults.get();
    proxy.addRule({
      action: (call) => call.action === 'DescribeInstances' && call.region === 'us-west-2',
      fault: { kind: 'hang' },
    });

    // Act
    const sweep = service.reconcile();
    await expect
      .poll(async () => (await store.list({ region: 'us-east-1' })).map((r) => r.instanceId), {
        timeout: 30_000,
      })
      .toEqual([east.InstanceId]);
    const westStillHung = proxy.pendingHangs();
    proxy.recover();
    const report = await sweep;

    // Assert
    expect(westStillHung).toBe(1);
    expect(report.created).toEqual([`us-east-1/${east.InstanceId}`]);
  });

  it('still fails the sweep when a region fails, after sweeping the others', {
    timeout: 60_000,
  }, async () => {
    // Arrange
    const east = await launch('us-east-1', 'east-1');
    const { service, store } = engine(['us-west-2', 'us-east-1'], new Date());
    faults.get().addRule({
      action: (call) => call.action === 'DescribeInstances' && call.region === 'us-west-2',
      fault: { kind: 'error', status: 500 },
    });

    // Act
    const sweep = service.reconcile();

    // Assert
    await expect(sweep).rejects.toThrow();
    expect((await store.list({ region: 'us-east-1' })).map((r) => r.instanceId)).toEqual([east.InstanceId]);
  });

  it('nags the other due instances while one instance’s EC2 call hangs', { timeout: 60_000 }, async () => {
    // Arrange: two monitored instances past their 1 h threshold.
    const stuck = await launch('us-east-1', 'stuck-1');
    const fine = await launch('us-east-1', 'fine-1');
    const { service, notifier, clock } = engine(
      ['us-east-1'],
      new Date(stuck.LaunchTime!.getTime() + 60_000),
    );
    await service.reconcile();
    clock.advance(2 * HOUR);
    const proxy = faults.get();
    proxy.addRule({
      action: (call) =>
        call.action === 'DescribeInstances' && Object.values(call.params).includes(stuck.InstanceId!),
      fault: { kind: 'hang' },
    });

    // Act
    const firing = service.runDueNags();
    await expect
      .poll(() => notifier.sent.map((n) => n.instanceId), { timeout: 30_000 })
      .toEqual([fine.InstanceId]);
    const stuckStillHung = proxy.pendingHangs();
    proxy.recover();
    const outcomes = await firing;

    // Assert
    expect(stuckStillHung).toBe(1);
    expect(outcomes.map((o) => o.action)).toEqual(['nag', 'nag']);
    expect(notifier.sent.map((n) => n.instanceId).sort()).toEqual([stuck.InstanceId, fine.InstanceId].sort());
  });
});
