/**
 * What a nag knows about stopping: hibernation comes with the listing, stop
 * protection is read once per nag sent (DescribeInstanceAttribute), never per
 * sweep, and is written with the nag's own record write.
 */
import { describe, expect, it } from 'vitest';
import { engine, fire, launch } from './harness.js';

describe('stop facts in nags', () => {
  it('carries hibernation from the listing into the record and the nag', async () => {
    const e = engine();
    const instance = e.fleet.add({
      launchTime: e.clock.now().toISOString(),
      tags: { Monitor: 'true', Threshold: '2' },
      hibernationConfigured: true,
    });
    await e.service.handleStateChange({
      region: instance.region,
      instanceId: instance.instanceId,
      state: 'running',
      time: e.clock.now().toISOString(),
    });

    await fire(e, instance);

    expect(await e.store.get(instance)).toMatchObject({ hibernationConfigured: true });
    expect(e.notifier.sent[0]).toMatchObject({ hibernationConfigured: true });
    expect(e.notifier.sent[0]?.stopProtected).toBeUndefined();
  });

  it('reads stop protection once per nag sent and records it with the nag', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.stopProtectedKeys.add(`${i.region}/${i.instanceId}`);
    const versionBefore = (await e.store.get(i))!.version;

    await e.service.reconcile();
    await e.service.reconcile();
    const afterSweeps = e.fleet.stats.attributeCalls;
    await fire(e, i);

    expect(afterSweeps).toBe(0);
    expect(e.fleet.stats.attributeCalls).toBe(1);
    expect(e.notifier.sent[0]).toMatchObject({ stopProtected: true });
    const saved = (await e.store.get(i))!;
    expect(saved).toMatchObject({ stopProtected: true, nagCount: 1 });
    // The claim and the nag's own write; protection added no write of its own.
    expect(saved.version).toBe(versionBefore + 2);
  });

  it('clears stop protection that was lifted since the last nag', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.stopProtectedKeys.add(`${i.region}/${i.instanceId}`);
    await fire(e, i);
    e.fleet.stopProtectedKeys.clear();

    await fire(e, i);

    expect((await e.store.get(i))?.stopProtected).toBeUndefined();
    expect(e.notifier.sent[1]?.stopProtected).toBeUndefined();
  });

  it('nags without it when the attribute cannot be read', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.stopProtected = async () => {
      throw new Error('UnauthorizedOperation');
    };

    await fire(e, i);

    expect(e.notifier.sent).toHaveLength(1);
    expect(e.notifier.sent[0]?.stopProtected).toBeUndefined();
  });
});
