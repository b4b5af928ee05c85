import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudMapRegistry } from '../../../src/aws/cloudMapRegistry.js';
import { Ec2Fleet } from '../../../src/aws/ec2Fleet.js';
import { CloudMapReconciler } from '../../../src/services/cleanup/cloudMapReconciler.js';
import { ReconcileMetrics } from '../../../src/services/cleanup/reconcileMetrics.js';
import { cleanupWorld } from '../../support/cleanupWorld.js';
import { useMoto } from '../../support/moto.js';

describe('CloudMapReconciler (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  const build = () => {
    const fleet = new Ec2Fleet((region) => new EC2Client({ ...moto.clientConfig, region }));
    const registry = new CloudMapRegistry((region) => world.cloudMap(region));
    return { fleet, registry, reconciler: new CloudMapReconciler({ registry, fleet }) };
  };
  const target = (serviceId: string) => ({
    serviceId,
    serviceRegion: 'us-east-1',
    instanceRegions: ['us-east-1', 'eu-west-1'],
  });

  it('keeps matches in any region, deregisters gone instances and IP mismatches, skips missing attributes', async () => {
    const east = await world.runInstance('us-east-1');
    const west = await world.runInstance('eu-west-1');
    const mismatched = await world.runInstance('us-east-1');
    const serviceId = await world.createService('web');
    await world.register(serviceId, east.instanceId, { AWS_INSTANCE_IPV4: east.privateIp ?? '' });
    await world.register(serviceId, west.instanceId, {
      AWS_INSTANCE_IPV4: west.publicIp ?? west.privateIp ?? '',
    });
    await world.register(serviceId, mismatched.instanceId, { AWS_INSTANCE_IPV4: '10.250.0.1' });
    await world.register(serviceId, 'i-0000000000000dead', { AWS_INSTANCE_IPV4: '10.9.9.9' });
    await world.register(serviceId, 'i-0000000000000beef', {});
    const { reconciler, fleet } = build();

    const report = await reconciler.reconcile(target(serviceId));

    expect(report.ok).toBe(true);
    expect(report.deregistered.sort()).toEqual([mismatched.instanceId, 'i-0000000000000dead'].sort());
    expect(report.skipped).toEqual(['i-0000000000000beef']);
    expect(report.decisions.find((d) => d.instanceId === mismatched.instanceId)?.reason).toContain(
      'registered with 10.250.0.1, but the running instance',
    );
    expect(await world.registered(serviceId)).toEqual(
      [east.instanceId, west.instanceId, 'i-0000000000000beef'].sort(),
    );
    // One filtered DescribeInstances per region, not one per registration.
    expect(fleet.stats.describeCalls).toBe(2);
  });

  it('changes nothing when it would empty the service, and warns', async () => {
    const serviceId = await world.createService('web');
    await world.register(serviceId, 'i-0000000000000dead', { AWS_INSTANCE_IPV4: '10.9.9.9' });
    await world.register(serviceId, 'i-0000000000000d0d', { AWS_INSTANCE_IPV4: '10.9.9.8' });
    const { reconciler } = build();

    const report = await reconciler.reconcile(target(serviceId));

    expect(report.ok).toBe(true);
    expect(report.deregistered).toEqual([]);
    expect(report.guardWarning).toContain('would leave');
    expect(await world.registered(serviceId)).toEqual(['i-0000000000000d0d', 'i-0000000000000dead']);
  });

  it('is idempotent and a dry run changes nothing', async () => {
    const live = await world.runInstance();
    const serviceId = await world.createService('web');
    await world.register(serviceId, live.instanceId, { AWS_INSTANCE_IPV4: live.privateIp ?? '' });
    await world.register(serviceId, 'i-0000000000000dead', { AWS_INSTANCE_IPV4: '10.9.9.9' });
    const { reconciler } = build();

    const dry = await reconciler.reconcile(target(serviceId), { dryRun: true });
    const afterDry = await world.registered(serviceId);
    const first = await reconciler.reconcile(target(serviceId));
    const second = await reconciler.reconcile(target(serviceId));

    expect(dry.deregistered).toEqual(['i-0000000000000dead']);
    expect(afterDry).toHaveLength(2);
    expect(first.deregistered).toEqual(['i-0000000000000dead']);
    expect(second.deregistered).toEqual([]);
    expect(await world.registered(serviceId)).toEqual([live.instanceId]);
  });

  it('reports a failed pass in the metrics without throwing', async () => {
    const { reconciler } = build();
    const metrics = new ReconcileMetrics(['srv-missing']);

    const report = await reconciler.reconcile(target('srv-missing'));
    metrics.observe(report, new Date('2026-11-20T18:00:00Z'));

    expect(report.ok).toBe(false);
    const text = await metrics.metrics();
    expect(text).toContain('lightsout_cloudmap_up{service_id="srv-missing"} 0');
    expect(text).toContain('lightsout_cloudmap_errors_total{service_id="srv-missing"} 1');
  });
});
