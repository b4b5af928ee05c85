/**
 * Times as people read them: the clock alone for today, with its day
 * otherwise ("18:00", "tomorrow 08:00", "Wed 3 Dec 08:00"), in an IANA time
 * zone. Pure: `now` comes in. date-fns with @date-fns/tz does the calendar
 * arithmetic, so midnight and daylight-saving changes follow the zone's rules.
 */
import { tz } from '@date-fns/tz';
import { differenceInCalendarDays, format, isSameYear } from 'date-fns';

/** Zone names seen so far; bounded, since a name can come from user input. */
const ZONE_CHECKS = new Map<string, boolean>();
const MAX_ZONE_CHECKS = 1_000;

/** True when the zone is a known IANA zone; callers fall back to UTC otherwise. */
export function isValidTimeZone(timeZone: string | undefined): timeZone is string {
  if (!timeZone) return false;
  // Building a DateTimeFormat costs about a third of a millisecond, paid per click and per
  // rendered time; the answer for a name never changes while the process runs.
  let known = ZONE_CHECKS.get(timeZone);
  if (known === undefined) {
    try {
      // Intl knows the same IANA database @date-fns/tz reads, and throws on a name it lacks.
      new Intl.DateTimeFormat('en', { timeZone });
      known = true;
    } catch {
      known = false;
    }
    if (ZONE_CHECKS.size < MAX_ZONE_CHECKS) ZONE_CHECKS.set(timeZone, known);
  }
  return known;
}

/**
 * `at` as seen from `now` in `timeZone`: `18:00` today, `tomorrow 08:00`,
 * `yesterday 18:00`, `Wed 3 Dec 08:00` further away, with the year when it differs.
 */
export function formatWhen(at: Date, now: Date, timeZone: string): string {
  const zone = { in: tz(timeZone) };
  const clock = format(at, 'HH:mm', zone);
  const days = differenceInCalendarDays(at, now, zone);
  if (days === 0) return clock;
  if (days === 1) return `tomorrow ${clock}`;
  if (days === -1) return `yesterday ${clock}`;
  return format(at, isSameYear(at, now, zone) ? 'EEE d MMM HH:mm' : 'EEE d MMM yyyy HH:mm', zone);
}

/**
 * `formatWhen` in the reader's zone, or in UTC and saying so when the zone is
 * unknown (a CLI, a log, a reader Slack or Teams did not describe).
 */
export function formatWhenIn(at: Date, now: Date, timeZone?: string): string {
  return isValidTimeZone(timeZone) ? formatWhen(at, now, timeZone) : `${formatWhen(at, now, 'UTC')} UTC`;
}

/** Day and clock in UTC, for text read at an unknown later time: `Wed 3 Dec 08:00 UTC`. */
export function formatDayTimeUtc(at: Date): string {
  return `${format(at, 'EEE d MMM HH:mm', { in: tz('UTC') })} UTC`;
}
