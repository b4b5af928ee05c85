import { beforeEach, describe, expect, it } from 'vitest';
import { reconcilerAtColdStart, resetCleanupColdStart } from '../../src/lambda/cleanupDeps.js';
import { cloudmapReconcileHandler } from '../../src/lambda/cloudmapReconcile.js';
import { cleanupWorld } from '../support/cleanupWorld.js';
import { useMoto } from '../support/moto.js';

describe('cloudmapReconcile Lambda (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(async () => {
    await moto.reset();
    resetCleanupColdStart();
  });

  it('reconciles every configured service', async () => {
    const live = await world.runInstance();
    const web = await world.createService('web');
    await world.register(web, live.instanceId, { AWS_INSTANCE_IPV4: live.privateIp ?? '' });
    await world.register(web, 'i-0000000000000dead', { AWS_INSTANCE_IPV4: '10.9.9.9' });
    const api = await world.createService('api');
    await world.register(api, live.instanceId, { AWS_INSTANCE_IPV4: live.privateIp ?? '' });
    const env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      REGIONS: 'us-east-1',
      CLEANUP_CLOUDMAP_SERVICES: `${web},${api}@us-east-1`,
    };
    const handler = cloudmapReconcileHandler(() => reconcilerAtColdStart(env));

    const reports = await handler({});

    expect(reports.map((r) => [r.serviceId, r.deregistered])).toEqual([
      [web, ['i-0000000000000dead']],
      [api, []],
    ]);
    expect(await world.registered(web)).toEqual([live.instanceId]);
  });

  it('fails the invocation when a service cannot be reconciled, after trying the others', async () => {
    const web = await world.createService('web');
    await world.register(web, 'i-0000000000000beef', {});
    const env = { AWS_ENDPOINT_URL: moto.endpoint, CLEANUP_CLOUDMAP_SERVICES: `srv-missing,${web}` };
    const handler = cloudmapReconcileHandler(() => reconcilerAtColdStart(env));

    await expect(handler({})).rejects.toThrow('Cloud Map reconcile failed for srv-missing');
  });

  it('only reports under CLEANUP_DRY_RUN', async () => {
    const web = await world.createService('web');
    const live = await world.runInstance();
    await world.register(web, live.instanceId, { AWS_INSTANCE_IPV4: live.privateIp ?? '' });
    await world.register(web, 'i-0000000000000dead', { AWS_INSTANCE_IPV4: '10.9.9.9' });
    const env = { AWS_ENDPOINT_URL: moto.endpoint, CLEANUP_CLOUDMAP_SERVICES: web, CLEANUP_DRY_RUN: 'true' };
    const handler = cloudmapReconcileHandler(() => reconcilerAtColdStart(env));

    const [report] = await handler({});

    expect(report).toMatchObject({ dryRun: true, deregistered: ['i-0000000000000dead'] });
    expect(await world.registered(web)).toHaveLength(2);
  });
});
