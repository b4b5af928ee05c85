/**
 * The stop operation beyond a plain click: hibernation, stop protection and
 * batches, against EC2 on moto (moto implements `HibernationOptions` and
 * `DisableApiStop`, refusing StopInstances with OperationNotPermitted as EC2
 * does) with the proxy in front of it counting and reading StopInstances calls.
 */
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRecord, RunActor } from '../../../src/core/instance.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { LAMBDA_REGION } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { stopWorld } from '../../support/stopWorld.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
const ana: RunActor = { platform: 'cli', id: 'ana' };

async function launch(
  world: ReturnType<typeof stopWorld>,
  opts: { count?: number; hibernation?: boolean; name?: string } = {},
): Promise<InstanceRecord[]> {
  const run = await world.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      MinCount: opts.count ?? 1,
      MaxCount: opts.count ?? 1,
      InstanceType: 'm5.large',
      HibernationOptions: opts.hibernation ? { Configured: true } : undefined,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Monitor', Value: 'true' },
            { Key: 'MonitorGroup', Value: 'web' },
            { Key: 'Name', Value: opts.name ?? 'render-1' },
          ],
        },
      ],
    }),
  );
  const records: InstanceRecord[] = [];
  for (const i of run.Instances ?? []) {
    await world.monitor.handleStateChange({
      region: LAMBDA_REGION,
      instanceId: i.InstanceId!,
      state: 'running',
      time: new Date().toISOString(),
    });
    records.push((await world.store.get({ region: LAMBDA_REGION, instanceId: i.InstanceId! }))!);
  }
  return records;
}

const protect = (ec2: EC2Client, id: string) =>
  ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true } }));

async function stateOf(ec2: EC2Client, id: string): Promise<string | undefined> {
  const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return res.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

describe('RunStopper', () => {
  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  it('hibernates an instance launched with hibernation configured, and records it', async () => {
    // Arrange
    const world = stopWorld(proxy.get().clientConfig);
    const [record] = await launch(world, { hibernation: true });

    // Act
    const result = await world.stopper.stop(record!, ana, { hibernate: true });

    // Assert
    expect(record!.hibernationConfigured).toBe(true);
    expect(result).toMatchObject({ status: 'stopping', hibernated: true });
    const calls = proxy.get().calls('StopInstances');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toMatchObject({ Hibernate: 'true', 'InstanceId.1': record!.instanceId });
    const saved = await world.store.get(record!);
    expect(saved?.lastStop).toMatchObject({ by: ana, hibernated: true });
    const [entry] = await world.audit.recent(1);
    expect(entry).toMatchObject({ actor: 'cli:ana', action: 'stop', result: 'ok' });
    expect(entry!.detail).toContain('Hibernate');
  });

  it('refuses --hibernate where hibernation is not configured, without calling StopInstances', async () => {
    // Arrange
    const world = stopWorld(proxy.get().clientConfig);
    const [record] = await launch(world);

    // Act
    const result = await world.stopper.stop(record!, ana, { hibernate: true });

    // Assert
    expect(result.status).toBe('refused');
    expect(result.status === 'refused' && result.reason).toContain('cannot hibernate');
    expect(proxy.get().count('StopInstances').received).toBe(0);
    expect(await stateOf(world.ec2, record!.instanceId)).toBe('running');
    expect((await world.store.get(record!))?.stopRequestedAt).toBeUndefined();
  });

  it('says a stop-protected instance cannot be stopped and how to lift it, and remembers it', async () => {
    // Arrange
    const world = stopWorld(proxy.get().clientConfig);
    const [record] = await launch(world);
    await protect(world.ec2, record!.instanceId);

    // Act
    const result = await world.stopper.stop(record!, ana);

    // Assert
    expect(result.status).toBe('protected');
    const reason = result.status === 'protected' ? result.reason : '';
    expect(reason).toContain('stop-protected (DisableApiStop)');
    expect(reason).toContain(`--instance-id ${record!.instanceId} --no-disable-api-stop`);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(await stateOf(world.ec2, record!.instanceId)).toBe('running');
    const saved = await world.store.get(record!);
    expect(saved).toMatchObject({ state: 'running', stopProtected: true });
    expect(saved?.stopRequestedAt).toBeUndefined();
    const [entry] = await world.audit.recent(1);
    expect(entry).toMatchObject({ result: 'refused' });
  });

  it('stops a batch in one StopInstances, setting aside the protected instance EC2 names', async () => {
    // Arrange
    const world = stopWorld(proxy.get().clientConfig);
    const records = await launch(world, { count: 5 });
    const guarded = records[2]!;
    await protect(world.ec2, guarded.instanceId);
    const unrecorded = (
      await world.ec2.send(new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1 }))
    ).Instances![0]!;
    await world.ec2.send(
      new CreateTagsCommand({ Resources: [unrecorded.InstanceId!], Tags: [{ Key: 'Role', Value: 'x' }] }),
    );
    proxy.get().resetCounters();
    const actor: RunActor = { platform: 'workload', id: 'run-1' };

    // Act
    const results = await world.stopper.stopMany(
      [
        ...records.map((r) => ({ region: r.region, instanceId: r.instanceId, launchTime: r.launchTime })),
        { region: LAMBDA_REGION, instanceId: unrecorded.InstanceId! },
      ],
      actor,
    );

    // Assert: one call refused for the protected instance, one for the other five.
    expect(proxy.get().count('StopInstances').received).toBe(2);
    expect(results.map((r) => r.status)).toEqual([
      'stopping',
      'stopping',
      'protected',
      'stopping',
      'stopping',
      'stopping',
    ]);
    expect(results[5]!.record).toBeUndefined();
    for (const r of records.filter((r) => r !== guarded)) {
      expect(await world.store.get(r)).toMatchObject({ state: 'stopping', lastStop: { by: actor } });
    }
    expect(await world.store.get(guarded)).toMatchObject({ state: 'running', stopProtected: true });
    expect(await stateOf(world.ec2, guarded.instanceId)).toBe('running');
    expect(await world.audit.recent(10)).toHaveLength(6);
  });

  it('a batch leaves alone what someone else is already stopping', async () => {
    // Arrange
    const world = stopWorld(proxy.get().clientConfig);
    const [first, second] = await launch(world, { count: 2 });
    await world.stopper.stop(first!, ana);
    proxy.get().resetCounters();

    // Act
    const results = await world.stopper.stopMany([first!, second!], { platform: 'workload', id: 'run-2' });

    // Assert
    expect(results.map((r) => r.status)).toEqual(['already', 'stopping']);
    expect(results[0]!.reason).toBe('already being stopped by cli:ana');
    expect(proxy.get().calls('StopInstances')).toHaveLength(1);
    expect(proxy.get().calls('StopInstances')[0]!.params).not.toHaveProperty('InstanceId.2');
  });
});
