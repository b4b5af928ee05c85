import { describe, expect, it } from 'vitest';
import { resolveExtendChoice, resolveSnoozeChoice } from '../../../src/chat/core/choices.js';
import { nextWallTime } from '../../../src/chat/core/zonedTime.js';

describe('snooze and extend choices', () => {
  const now = new Date('2026-11-21T22:30:00Z');

  it('resolves "until 09:00 tomorrow" in the clicker time zone', () => {
    // 22:30 UTC is 14:30 in Los Angeles (PST, UTC-8): tomorrow 09:00 there is 17:00 UTC.
    expect(resolveSnoozeChoice('tomorrow-09:00', now, 'America/Los_Angeles')).toEqual({
      ok: true,
      value: new Date('2026-11-22T17:00:00Z'),
    });
    // In Tokyo it is already 07:30 on the 22nd, so tomorrow is the 23rd: 09:00 JST = 00:00 UTC.
    expect(resolveSnoozeChoice('tomorrow-09:00', now, 'Asia/Tokyo')).toEqual({
      ok: true,
      value: new Date('2026-11-23T00:00:00Z'),
    });
    expect(resolveSnoozeChoice('tomorrow-09:00', now, undefined)).toEqual({
      ok: true,
      value: new Date('2026-11-22T09:00:00Z'),
    });
  });

  it('resolves hour choices and rejects unknown values', () => {
    expect(resolveSnoozeChoice('4h', now, 'UTC')).toEqual({
      ok: true,
      value: new Date('2026-11-22T02:30:00Z'),
    });
    expect(resolveSnoozeChoice('5h', now, 'UTC').ok).toBe(false);
    expect(resolveExtendChoice('8h')).toEqual({ ok: true, value: 8 * 3600 });
    expect(resolveExtendChoice('3h').ok).toBe(false);
  });

  it('finds the next wall time across a DST change', () => {
    // Europe/Berlin leaves summer time on 2026-10-25 03:00 local.
    const before = new Date('2026-10-24T20:00:00Z');
    expect(nextWallTime(before, 9, 0, 'Europe/Berlin')).toEqual(new Date('2026-10-25T08:00:00Z'));
    expect(nextWallTime(before, 21, 0, 'Europe/Berlin')).toEqual(new Date('2026-10-25T20:00:00Z'));
  });

  it('moves a wall time that a DST change skips forward', () => {
    // Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29, so 02:30 that night does not exist.
    const saturday = new Date('2026-03-28T12:00:00Z');
    expect(nextWallTime(saturday, 2, 30, 'Europe/Berlin')).toEqual(new Date('2026-03-29T01:30:00Z'));
  });
});
