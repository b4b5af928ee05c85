import { describe, expect, it } from 'vitest';
import { engine, LAUNCH, launch } from './harness.js';

describe('MonitorService.reconcile', () => {
  it('tracks running monitored instances it has no record of, with one listing call', async () => {
    const e = engine();
    const a = e.fleet.add({ tags: { Monitor: 'true' } });
    const b = e.fleet.add({ tags: { Monitor: 'TRUE', Threshold: '1' } });
    e.fleet.add({ tags: { Name: 'not monitored' } });

    const report = await e.service.reconcile();

    expect(report).toMatchObject({
      seen: 2,
      describeCalls: 1,
      created: [`eu-west-1/${a.instanceId}`, `eu-west-1/${b.instanceId}`],
    });
    expect((await e.scheduler.get(b))?.dueAt).toBe('2026-03-02T09:00:00.000Z');
  });

  it('recreates a schedule deleted by hand', async () => {
    const e = engine();
    const i = await launch(e);
    await e.scheduler.cancel(i);

    const report = await e.service.reconcile();

    expect(report.rescheduled).toEqual([`eu-west-1/${i.instanceId}`]);
    expect(await e.scheduler.get(i)).toEqual({
      region: 'eu-west-1',
      instanceId: i.instanceId,
      launchTime: LAUNCH,
      dueAt: '2026-03-02T10:00:00.000Z',
    });
  });

  it('observes stops and terminations it missed (the single process has no EC2 events)', async () => {
    const e = engine();
    const stopped = await launch(e);
    const gone = await launch(e);
    e.fleet.set(stopped, { state: 'stopped' });
    e.fleet.remove(gone);

    const report = await e.service.reconcile();

    expect(report.removed.sort()).toEqual(
      [`eu-west-1/${stopped.instanceId}`, `eu-west-1/${gone.instanceId}`].sort(),
    );
    expect(await e.scheduler.list()).toEqual([]);
    expect((await e.store.get(gone))?.state).toBe('terminated');
    expect(e.events.events.map((ev) => ev.type).sort()).toEqual(['instance.stopped', 'instance.terminated']);
  });

  it('cancels a schedule with no record behind it', async () => {
    const e = engine();
    await e.scheduler.schedule({
      region: 'eu-west-1',
      instanceId: 'i-orphan',
      launchTime: LAUNCH,
      dueAt: LAUNCH,
    });

    const report = await e.service.reconcile();

    expect(report.removed).toEqual(['eu-west-1/i-orphan']);
    expect(await e.scheduler.list()).toEqual([]);
  });

  it('changes nothing in a dry run but says what it would do', async () => {
    const e = engine();
    const i = e.fleet.add({ tags: { Monitor: 'true' } });

    const report = await e.service.reconcile({ dryRun: true });

    expect(report.actions).toEqual([`would eu-west-1/${i.instanceId}: track: running with no record`]);
    expect(await e.store.get(i)).toBeUndefined();
    expect(await e.scheduler.list()).toEqual([]);
  });

  it('moves a schedule when the Threshold tag changed after launch', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.set(i, { tags: { Monitor: 'true', Threshold: '5' } });

    await e.service.reconcile();

    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T13:00:00.000Z');
    expect((await e.store.get(i))?.thresholdSeconds).toBe(5 * 3600);
  });

  it('sweeps every region in REGIONS, one listing call per region', async () => {
    const e = engine({ regions: ['eu-west-1', 'us-east-1'] });
    const west = e.fleet.add({ tags: { Monitor: 'true' } });
    const east = e.fleet.add({ region: 'us-east-1', tags: { Monitor: 'true' } });

    const report = await e.service.reconcile();

    expect(report).toMatchObject({
      regions: ['eu-west-1', 'us-east-1'],
      describeCalls: 2,
      created: [`eu-west-1/${west.instanceId}`, `us-east-1/${east.instanceId}`],
    });
    expect((await e.scheduler.get(east))?.region).toBe('us-east-1');
  });
});
