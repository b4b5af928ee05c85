import { describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/core/duration.js';
import { NotFoundError, StaleRunError, ValidationError } from '../../../src/core/errors.js';
import { engine, fire, LAUNCH, launch } from './harness.js';

describe('snooze, extend and stopRequested', () => {
  it('snooze moves the schedule to the end of the snooze', async () => {
    const e = engine();
    const i = await launch(e);
    await fire(e, i);

    const record = await e.service.snooze(
      { ...i, launchTime: LAUNCH },
      new Date('2026-03-02T15:00:00Z'),
      'slack:U1',
    );

    expect(record.snoozedUntil).toBe('2026-03-02T15:00:00.000Z');
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T15:00:00.000Z');
  });

  it('extend before the threshold raises it; after, it counts from now', async () => {
    const e = engine();
    const i = await launch(e);

    const early = await e.service.extend({ ...i, launchTime: LAUNCH }, HOUR, 'slack:U1');

    expect(early.extensionSeconds).toBe(HOUR);
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T11:00:00.000Z');

    e.clock.set('2026-03-02T13:00:00Z');
    const late = await e.service.extend({ ...i, launchTime: LAUNCH }, 2 * HOUR, 'teams:abc');

    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T15:00:00.000Z');
    expect(late.extensionSeconds).toBe(5 * HOUR);
  });

  it('refuses stale runs, unknown instances and bad values', async () => {
    const e = engine();
    const i = await launch(e);
    const run = { ...i, launchTime: LAUNCH };

    await expect(
      e.service.snooze({ ...run, launchTime: '2026-03-01T00:00:00Z' }, new Date('2026-03-03'), 'u'),
    ).rejects.toThrow(StaleRunError);
    await expect(e.service.extend({ ...run, instanceId: 'i-unknown' }, HOUR, 'u')).rejects.toThrow(
      NotFoundError,
    );
    await expect(e.service.extend(run, -5, 'u')).rejects.toThrow(ValidationError);
    await expect(e.service.snooze(run, new Date('2026-03-01T00:00:00Z'), 'u')).rejects.toThrow(
      ValidationError,
    );
  });

  it('stopRequested cancels the schedule at once and records the run as stopping', async () => {
    const e = engine();
    const i = await launch(e);
    e.clock.set('2026-03-02T11:00:00Z');

    const record = await e.service.stopRequested(
      { ...i, launchTime: LAUNCH },
      { platform: 'slack', id: 'U1' },
    );

    expect(record).toMatchObject({
      state: 'stopping',
      stateChangedAt: '2026-03-02T11:00:00.000Z',
      stopRequestedAt: '2026-03-02T11:00:00.000Z',
    });
    expect(record.nextNagAt).toBeUndefined();
    expect(await e.scheduler.get(i)).toBeUndefined();
    expect(e.events.events).toEqual([]);
  });

  it('a sweep landing before EC2 reports the stop does not re-arm the nags', async () => {
    // Arrange: DescribeInstances still says running right after StopInstances.
    const e = engine();
    const i = await launch(e);
    e.clock.set('2026-03-02T11:00:00Z');
    await e.service.stopRequested({ ...i, launchTime: LAUNCH }, { platform: 'slack', id: 'U1' });
    e.clock.set('2026-03-02T11:00:20Z');

    // Act
    await e.service.reconcile();

    // Assert
    expect(await e.scheduler.get(i)).toBeUndefined();
    expect(await e.store.get(i)).toMatchObject({ state: 'stopping', nextNagAt: undefined });
    expect(e.events.events).toEqual([]);
  });

  it('EC2 stopping and stopped events after the request emit instance.stopped once, with the runtime', async () => {
    // Arrange
    const e = engine();
    const i = await launch(e);
    e.clock.set('2026-03-02T11:00:05Z');
    await e.service.stopRequested({ ...i, launchTime: LAUNCH }, { platform: 'slack', id: 'U1' });
    e.fleet.set(i, { state: 'stopping' });

    // Act: EC2's event time precedes the request's (the call returned after EC2 acted).
    await e.service.handleStateChange({ ...i, state: 'stopping', time: '2026-03-02T11:00:00Z' });
    e.fleet.set(i, { state: 'stopped' });
    await e.service.handleStateChange({ ...i, state: 'stopped', time: '2026-03-02T11:01:00Z' });
    await e.service.handleStateChange({ ...i, state: 'stopping', time: '2026-03-02T11:00:00Z' });

    // Assert: the runtime is the one recorded at the request, which the person who stopped it was told.
    expect(e.events.events.map((ev) => [ev.type, 'runtimeSeconds' in ev && ev.runtimeSeconds])).toEqual([
      ['instance.stopped', 3 * HOUR + 5],
    ]);
    const record = await e.store.get(i);
    expect(record).toMatchObject({ state: 'stopped', stateChangedAt: '2026-03-02T11:01:00Z' });
    expect(record?.stopRequestedAt).toBeUndefined();
    expect(e.events.events[0]?.record.stopRequestedAt).toBeUndefined();
  });

  it('a sweep that sees the stop emits instance.stopped once; the later event adds none', async () => {
    // Arrange: the single process learns of stops from its sweep.
    const e = engine();
    const i = await launch(e);
    e.clock.set('2026-03-02T11:00:00Z');
    await e.service.stopRequested({ ...i, launchTime: LAUNCH }, { platform: 'slack', id: 'U1' });
    e.fleet.set(i, { state: 'stopped' });
    e.clock.set('2026-03-02T11:02:00Z');

    // Act
    await e.service.reconcile();
    await e.service.handleStateChange({ ...i, state: 'stopped', time: '2026-03-02T11:01:00Z' });

    // Assert
    expect(e.events.events.map((ev) => ev.type)).toEqual(['instance.stopped']);
    expect(await e.scheduler.get(i)).toBeUndefined();
  });

  it('tracks the run as running again when EC2 still reports it running long after the request', async () => {
    // Arrange
    const e = engine();
    const i = await launch(e);
    e.clock.set('2026-03-02T11:00:00Z');
    await e.service.stopRequested({ ...i, launchTime: LAUNCH }, { platform: 'slack', id: 'U1' });
    e.clock.set('2026-03-02T11:15:00Z');

    // Act
    await e.service.reconcile();

    // Assert
    const record = await e.store.get(i);
    expect(record?.state).toBe('running');
    expect(record?.stopRequestedAt).toBeUndefined();
    expect((await e.scheduler.get(i))?.dueAt).toBe('2026-03-02T11:15:00.000Z');
  });

  it('stopRequested twice for the same run is harmless; snooze after it is refused', async () => {
    // Arrange
    const e = engine();
    const i = await launch(e);
    const run = { ...i, launchTime: LAUNCH };
    e.clock.set('2026-03-02T11:00:00Z');
    const first = await e.service.stopRequested(run, { platform: 'slack', id: 'U1' });
    e.clock.set('2026-03-02T11:00:10Z');

    // Act
    const second = await e.service.stopRequested(run, { platform: 'teams', id: 'abc' });

    // Assert
    expect(second).toEqual(first);
    await expect(e.service.snooze(run, new Date('2026-03-02T15:00:00Z'), 'u')).rejects.toThrow(StaleRunError);
    expect(await e.scheduler.get(i)).toBeUndefined();
  });
});
