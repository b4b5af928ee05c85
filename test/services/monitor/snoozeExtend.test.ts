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

  it('stopRequested cancels the schedule at once', async () => {
    const e = engine();
    const i = await launch(e);

    const record = await e.service.stopRequested({ ...i, launchTime: LAUNCH }, 'slack:U1');

    expect(record.nextNagAt).toBeUndefined();
    expect(await e.scheduler.get(i)).toBeUndefined();
  });
});
