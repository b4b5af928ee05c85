import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { engine, LAUNCH, launch } from './harness.js';

describe('MonitorService.handleStateChange', () => {
  it('records a running instance and schedules the first nag at launch + threshold', async () => {
    const e = engine();

    const i = await launch(e, { Monitor: 'true', Threshold: '2', Name: 'web-1', MonitorGroup: 'web' });

    expect(await e.scheduler.get(i)).toEqual({
      region: 'eu-west-1',
      instanceId: i.instanceId,
      launchTime: LAUNCH,
      dueAt: '2026-03-02T10:00:00.000Z',
    });
    expect(await e.store.get(i)).toMatchObject({
      state: 'running',
      name: 'web-1',
      group: 'web',
      privateIp: i.privateIp,
    });
  });

  it('ignores instances without Monitor=true in opt-in mode', async () => {
    const e = engine();

    const i = await launch(e, { Name: 'untagged' });

    expect(await e.store.get(i)).toBeUndefined();
    expect(await e.scheduler.get(i)).toBeUndefined();
  });

  it('monitors untagged instances in opt-out mode', async () => {
    const e = engine({ mode: 'opt-out' });

    const i = await launch(e, {});

    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T20:00:00.000Z');
  });

  it('cancels the schedule on stop and emits instance.stopped with the runtime, once', async () => {
    const e = engine();
    const i = await launch(e);
    e.clock.advance(3 * 3600);
    e.fleet.set(i, { state: 'stopped' });

    await e.service.handleStateChange({ ...i, state: 'stopping', time: '2026-03-02T11:00:00Z' });
    await e.service.handleStateChange({ ...i, state: 'stopped', time: '2026-03-02T11:00:30Z' });

    expect(await e.scheduler.get(i)).toBeUndefined();
    expect(e.events.events.map((ev) => [ev.type, 'runtimeSeconds' in ev ? ev.runtimeSeconds : 0])).toEqual([
      ['instance.stopped', 3 * 3600],
    ]);
  });

  it('keeps a tombstone with IPs on termination and emits instance.terminated', async () => {
    const e = engine();
    const i = await launch(e);
    e.fleet.set(i, { state: 'terminated', privateIp: undefined });

    await e.service.handleStateChange({ ...i, state: 'terminated', time: '2026-03-02T09:00:00Z' });

    expect(await e.scheduler.get(i)).toBeUndefined();
    expect(await e.store.get(i)).toMatchObject({
      state: 'terminated',
      privateIp: i.privateIp,
      expiresAt: '2026-03-03T08:00:00.000Z',
    });
    expect(e.events.events[0]).toMatchObject({
      type: 'instance.terminated',
      record: { privateIp: i.privateIp },
    });
  });

  it('survives a stopped event delivered before the running event of the same run', async () => {
    const e = engine();
    const i = e.fleet.add({ tags: { Monitor: 'true' }, state: 'stopped' });

    await e.service.handleStateChange({ ...i, state: 'stopped', time: '2026-03-02T09:00:00Z' });
    await e.service.handleStateChange({ ...i, state: 'running', time: '2026-03-02T08:00:05Z' });

    expect((await e.store.get(i))?.state).toBe('stopped');
    expect(await e.scheduler.get(i)).toBeUndefined();
  });

  it('retries a conditional-write conflict by re-reading', async () => {
    const e = engine();
    const i = await launch(e);
    e.store.conflictsToInject = 2;
    e.fleet.set(i, { state: 'stopped' });

    await e.service.handleStateChange({ ...i, state: 'stopped', time: '2026-03-02T09:00:00Z' });

    expect((await e.store.get(i))?.state).toBe('stopped');
  });

  it('describes the instance once per run: not for pending, not for ending events it has a record of', async () => {
    const e = engine();
    const i = e.fleet.add({ tags: { Monitor: 'true' } });

    await e.service.handleStateChange({ ...i, state: 'pending', time: '2026-03-02T08:00:01Z' });
    await e.service.handleStateChange({ ...i, state: 'running', time: '2026-03-02T08:00:20Z' });
    await e.service.handleStateChange({ ...i, state: 'stopping', time: '2026-03-02T09:00:00Z' });
    await e.service.handleStateChange({ ...i, state: 'stopped', time: '2026-03-02T09:00:40Z' });

    expect(e.fleet.stats.describeCalls).toBe(1);
    expect((await e.store.get(i))?.state).toBe('stopped');
  });

  it('handles a batch with one DescribeInstances, in event-time order', async () => {
    const e = engine();
    const a = e.fleet.add({ tags: { Monitor: 'true' } });
    const b = e.fleet.add({ tags: { Monitor: 'true' } });
    const c = e.fleet.add({ tags: { Monitor: 'true' }, state: 'stopped' });

    const results = await e.service.handleStateChanges([
      { ...c, state: 'stopped', time: '2026-03-02T08:05:00Z' },
      { ...a, state: 'running', time: '2026-03-02T08:00:10Z' },
      { ...b, state: 'running', time: '2026-03-02T08:00:20Z' },
      { ...c, state: 'running', time: '2026-03-02T08:00:30Z' },
    ]);

    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(e.fleet.stats.describeCalls).toBe(1);
    expect((await e.scheduler.list()).map((s) => s.instanceId).sort()).toEqual([a.instanceId, b.instanceId]);
    expect((await e.store.get(c))?.state).toBe('stopped');
  });

  it('refuses an unknown state with a message naming the valid ones', async () => {
    const e = engine();

    await expect(
      e.service.handleStateChange({ region: 'eu-west-1', instanceId: 'i-1', state: 'melting', time: LAUNCH }),
    ).rejects.toThrow(ValidationError);
  });
});
