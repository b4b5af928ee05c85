/**
 * Wall-clock arithmetic in a person's own IANA time zone ("until 09:00
 * tomorrow", "until 18:00"), with @date-fns/tz. Pure: `now` always comes in
 * as a parameter.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, set } from 'date-fns';

/** `hour:minute` on the day of `day` in its zone; a time skipped by a DST change resolves forward. */
function atClock(day: TZDate, hour: number, minute: number): Date {
  return new Date(set(day, { hours: hour, minutes: minute, seconds: 0, milliseconds: 0 }).getTime());
}

/** The next time after `now` that the wall clock in `timeZone` reads `hour:minute`. */
export function nextWallTime(now: Date, hour: number, minute: number, timeZone: string): Date {
  const today = atClock(new TZDate(now, timeZone), hour, minute);
  return today.getTime() > now.getTime() ? today : tomorrowAt(now, hour, minute, timeZone);
}

/** `hour:minute` on the calendar day after today in `timeZone`. */
export function tomorrowAt(now: Date, hour: number, minute: number, timeZone: string): Date {
  return atClock(addDays(new TZDate(now, timeZone), 1), hour, minute);
}
