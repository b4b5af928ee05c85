import { describe, expect, it } from 'vitest';
import { formatDayTimeUtc, formatWhen, formatWhenIn, isValidTimeZone } from '../../src/core/when.js';

describe('formatWhen: a time that is not today carries its day', () => {
  // Wednesday 2 December 2026, 22:30 UTC.
  const now = new Date('2026-12-02T22:30:00Z');

  it('shows the clock alone for later today', () => {
    expect(formatWhen(new Date('2026-12-02T23:15:00Z'), now, 'UTC')).toBe('23:15');
  });

  it('says tomorrow for a time after midnight', () => {
    expect(formatWhen(new Date('2026-12-03T08:00:00Z'), now, 'UTC')).toBe('tomorrow 08:00');
  });

  it('says yesterday for a time before midnight', () => {
    expect(formatWhen(new Date('2026-12-01T18:00:00Z'), now, 'UTC')).toBe('yesterday 18:00');
  });

  it('names the weekday and date further away, and the year when it differs', () => {
    expect(formatWhen(new Date('2026-12-05T08:00:00Z'), now, 'UTC')).toBe('Sat 5 Dec 08:00');
    expect(formatWhen(new Date('2027-01-04T08:00:00Z'), now, 'UTC')).toBe('Mon 4 Jan 2027 08:00');
  });

  it('decides today and tomorrow in the reader zone, not in UTC', () => {
    const at = new Date('2026-12-03T07:00:00Z');
    // Paris (UTC+1) is at 23:30 on the 2nd: 07:00 UTC is 08:00 tomorrow there.
    expect(formatWhen(at, now, 'Europe/Paris')).toBe('tomorrow 08:00');
    // Los Angeles (UTC-8) is still on the 2nd: 07:00 UTC is 23:00 that evening.
    expect(formatWhen(at, now, 'America/Los_Angeles')).toBe('23:00');
    // Tokyo (UTC+9) is on the 3rd at 07:30: 07:00 UTC is 16:00 the same day.
    expect(formatWhen(at, now, 'Asia/Tokyo')).toBe('16:00');
    // In UTC itself it is tomorrow.
    expect(formatWhen(at, now, 'UTC')).toBe('tomorrow 07:00');
  });

  it('counts calendar days across a daylight-saving change', () => {
    // Europe/Berlin leaves summer time at 03:00 on Sunday 25 October 2026.
    const saturdayEvening = new Date('2026-10-24T20:00:00Z'); // 22:00 CEST
    expect(formatWhen(new Date('2026-10-25T08:00:00Z'), saturdayEvening, 'Europe/Berlin')).toBe(
      'tomorrow 09:00',
    );
    expect(formatWhen(new Date('2026-10-25T23:30:00Z'), saturdayEvening, 'Europe/Berlin')).toBe(
      'Mon 26 Oct 00:30',
    );
  });
});

describe('formatWhenIn', () => {
  const now = new Date('2026-12-02T22:30:00Z');

  it('uses the reader zone when it is known', () => {
    expect(formatWhenIn(new Date('2026-12-03T07:00:00Z'), now, 'Asia/Tokyo')).toBe('16:00');
  });

  it('falls back to UTC and says so for an unknown or missing zone', () => {
    expect(formatWhenIn(new Date('2026-12-03T07:00:00Z'), now, 'Mars/Olympus_Mons')).toBe(
      'tomorrow 07:00 UTC',
    );
    expect(formatWhenIn(new Date('2026-12-02T23:00:00Z'), now)).toBe('23:00 UTC');
  });
});

describe('formatDayTimeUtc and isValidTimeZone', () => {
  it('always carries the day, for text read at an unknown later time', () => {
    expect(formatDayTimeUtc(new Date('2026-12-02T17:00:00.000Z'))).toBe('Wed 2 Dec 17:00 UTC');
  });

  it('knows IANA zones and refuses others', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone(undefined)).toBe(false);
  });
});
