import { describe, expect, it } from 'vitest';
import { digestDue, weeklySlot } from '../../src/core/digestSchedule.js';

const defaults = { cadence: 'weekly' as const, timeZone: 'UTC' };

describe('digestDue', () => {
  it('is due from Monday 09:00 in the channel time zone for a day, for the week before', () => {
    // Monday 23 November 2026.
    expect(digestDue({}, defaults, new Date('2026-11-23T08:59:59Z'))).toMatchObject({ due: false });
    expect(digestDue({}, defaults, new Date('2026-11-23T09:00:00Z'))).toEqual({
      due: true,
      week: '2026-11-23',
      since: new Date('2026-11-16T00:00:00Z'),
      until: new Date('2026-11-23T00:00:00Z'),
      timeZone: 'UTC',
      reason: 'Monday 09:00 UTC has come for the week of 2026-11-23',
    });
    expect(digestDue({}, defaults, new Date('2026-11-24T08:59:00Z'))).toMatchObject({ due: true });
    expect(digestDue({}, defaults, new Date('2026-11-24T09:00:00Z'))).toMatchObject({
      due: false,
      reason: 'Monday 09:00 UTC passed more than a day ago; next Monday',
    });
  });

  it('uses the channel time zone, its own or the default', () => {
    const berlin = { timeZone: 'Europe/Berlin' };
    expect(digestDue(berlin, defaults, new Date('2026-11-23T07:59:00Z'))).toMatchObject({ due: false });
    expect(digestDue(berlin, defaults, new Date('2026-11-23T08:00:00Z'))).toMatchObject({
      due: true,
      since: new Date('2026-11-15T23:00:00Z'),
      until: new Date('2026-11-22T23:00:00Z'),
    });
    expect(
      digestDue({}, { ...defaults, timeZone: 'America/New_York' }, new Date('2026-11-23T13:59:00Z')),
    ).toMatchObject({
      due: false,
    });
  });

  it('is not due once the week was sent, or when the channel turned it off', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(digestDue({ lastSentWeek: '2026-11-23' }, defaults, now)).toMatchObject({ due: false });
    expect(digestDue({ lastSentWeek: '2026-11-16' }, defaults, now)).toMatchObject({ due: true });
    expect(digestDue({ cadence: 'off' }, defaults, now)).toEqual({
      due: false,
      reason: 'the weekly digest is off for this channel',
    });
    expect(digestDue({ cadence: 'weekly' }, { ...defaults, cadence: 'off' }, now)).toMatchObject({
      due: true,
    });
  });

  it('keeps a week of seven local days across a change of clocks', () => {
    // Europe/Berlin leaves summer time on Sunday 25 October 2026.
    const slot = weeklySlot(new Date('2026-10-26T09:00:00Z'), 'Europe/Berlin');
    expect(slot).toMatchObject({
      week: '2026-10-26',
      since: new Date('2026-10-18T22:00:00Z'),
      until: new Date('2026-10-25T23:00:00Z'),
      slot: new Date('2026-10-26T08:00:00Z'),
    });
  });
});
