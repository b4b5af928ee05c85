/**
 * A workload's tier stops go through the one stop operation (RunStopper): an
 * instance the monitor tracks gets its stop recorded against its run (so its
 * nags end), every stop is audited under the workload run, and a
 * stop-protected instance fails alone with the reason, in one StopInstances
 * more than the tier's one.
 */
import { ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';

const moto = useMoto();
beforeEach(() => moto.reset());

describe('workload stops through RunStopper', () => {
  it('records tracked runs, audits each stop, and fails a stop-protected instance alone', async () => {
    // Arrange
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    const env = { Environment: 'ENV001' };
    const web = await world.launch(3, { ...env, Role: 'web', Monitor: 'true' });
    await world.launch(1, { ...env, Role: 'app' });
    await world.launch(1, { ...env, Role: 'db' });
    for (const id of web) {
      await world.monitor.handleStateChange({
        region: 'us-east-1',
        instanceId: id,
        state: 'running',
        time: world.time.now().toISOString(),
      });
    }
    const guarded = web[1]!;
    await world.ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: guarded, DisableApiStop: { Value: true } }),
    );
    world.ec2Calls.length = 0;

    // Act
    const begun = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    // Assert
    const run = await world.service.run(begun.runId);
    const webTier = run.tiers[0]!;
    const failed = webTier.instances.find((i) => i.instanceId === guarded);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed?.reason).toContain('stop-protected (DisableApiStop)');
    expect(failed?.reason).toContain('--no-disable-api-stop');
    // One refused call and one for the rest of the web tier.
    expect(
      world.ec2Calls.filter(
        (c) =>
          c.command === 'StopInstancesCommand' &&
          (c.input.InstanceIds as string[]).some((id) => web.includes(id)),
      ),
    ).toHaveLength(2);
    for (const id of web.filter((id) => id !== guarded)) {
      const record = await world.instances.get({ region: 'us-east-1', instanceId: id });
      expect(record).toMatchObject({
        state: 'stopping',
        lastStop: { by: { platform: 'workload', id: begun.runId } },
      });
    }
    expect(await world.instances.get({ region: 'us-east-1', instanceId: guarded })).toMatchObject({
      state: 'running',
      stopProtected: true,
    });
    const audited = await world.audit.recent(20);
    expect(audited.filter((e) => e.actor === `workload:${begun.runId}`)).toHaveLength(5);
    expect(audited.find((e) => e.target.includes(guarded))).toMatchObject({ result: 'refused' });
  });
});
