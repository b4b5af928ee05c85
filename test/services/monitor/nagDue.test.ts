import { describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/core/duration.js';
import { engine, fire, launch } from './harness.js';

describe('MonitorService.handleNagDue', () => {
  it('notifies, counts the nag and schedules the next at now + renotify', async () => {
    const e = engine();
    const i = await launch(e, { Monitor: 'true', Threshold: '2', Name: 'web-1', MonitorGroup: 'web' });

    await fire(e, i);

    expect(e.notifier.sent).toEqual([
      expect.objectContaining({
        instanceId: i.instanceId,
        name: 'web-1',
        group: 'web',
        account: '123456789012',
        runtimeSeconds: 2 * HOUR,
        thresholdSeconds: 2 * HOUR,
        nagCount: 1,
        dueAt: '2026-03-02T10:00:00.000Z',
      }),
    ]);
    expect(await e.store.get(i)).toMatchObject({ nagCount: 1, lastNagAt: '2026-03-02T10:00:00.000Z' });
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T11:00:00.000Z');
  });

  it('does not count a nag the notifier failed to deliver, and retries soon', async () => {
    const e = engine();
    const i = await launch(e);
    e.notifier.failures = 1;

    await fire(e, i);

    expect((await e.store.get(i))?.nagCount).toBe(0);
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T10:05:00.000Z');

    await fire(e, i);

    expect(e.notifier.sent.map((n) => n.nagCount)).toEqual([1]);
    expect((await e.store.get(i))?.nagCount).toBe(1);
  });

  it('re-reads tags: a raised Threshold reschedules, a bad one nags with a warning', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.set(i, { tags: { Monitor: 'true', Threshold: '6' } });

    await fire(e, i);

    expect(e.notifier.sent).toHaveLength(0);
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T14:00:00.000Z');

    e.fleet.set(i, { tags: { Monitor: 'true', Threshold: 'abc', RenotifyEvery: '30m' } });
    e.clock.set('2026-03-02T20:00:00Z');
    await e.service.handleNagDue((await e.scheduler.get(i))!);

    expect(e.notifier.sent[0]?.warnings).toEqual(['Threshold "abc" is not a duration; using 12h']);
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T20:30:00.000Z');
  });

  it('drops the schedule when the instance stopped without us hearing about it', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.set(i, { state: 'stopped' });

    await fire(e, i);

    expect(e.notifier.sent).toHaveLength(0);
    expect(await e.scheduler.get(i)).toBeUndefined();
    expect((await e.store.get(i))?.state).toBe('stopped');
    expect(e.events.events.map((ev) => ev.type)).toEqual(['instance.stopped']);
  });

  it('drops a stale schedule of an earlier run and schedules the new run', async () => {
    const e = engine();
    const i = await launch(e);
    const stale = (await e.scheduler.get(i))!;
    e.fleet.set(i, { launchTime: '2026-03-02T09:30:00.000Z' });
    e.clock.set(stale.dueAt);

    await e.service.handleNagDue(stale);

    expect(e.notifier.sent).toHaveLength(0);
    expect(await e.scheduler.get(i)).toMatchObject({
      launchTime: '2026-03-02T09:30:00.000Z',
      dueAt: '2026-03-02T11:30:00.000Z',
    });
  });

  it('stops nagging when the Monitor tag is removed', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.set(i, { tags: { Monitor: 'false' } });

    await fire(e, i);

    expect(e.notifier.sent).toHaveLength(0);
    expect(await e.scheduler.get(i)).toBeUndefined();
    expect(await e.store.get(i)).toBeUndefined();
  });

  it('nags due schedules in a batch and reports what it did', async () => {
    const e = engine();
    const i = await launch(e);
    e.clock.set('2026-03-02T10:30:00Z');

    const dry = await e.service.runDueNags({ dryRun: true });
    const real = await e.service.runDueNags();

    expect(dry).toEqual([expect.objectContaining({ instance: `eu-west-1/${i.instanceId}`, action: 'nag' })]);
    expect(real.map((o) => o.action)).toEqual(['nag']);
    expect(e.notifier.sent).toHaveLength(1);
  });
});
