/**
 * Wall-clock arithmetic in a person's own IANA time zone, using only `Intl`
 * (no tz database dependency). Pure: `now` always comes in as a parameter.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `Intl` knows the zone; unknown zones fall back to UTC in callers. */
export function isValidTimeZone(timeZone: string | undefined): timeZone is string {
  if (!timeZone) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at instant `at`. */
export function wallClockAt(at: Date, timeZone: string): WallClock & { second: number } {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(at)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

function offsetMs(at: Date, timeZone: string): number {
  const w = wallClockAt(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (at.getTime() - at.getMilliseconds());
}

/** The instant at which `timeZone` shows wall clock `w` (DST gaps resolve forward). */
export function instantOf(w: WallClock, timeZone: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  // Two passes settle the offset even when `naive` sits on the other side of a DST change.
  let guess = naive - offsetMs(new Date(naive), timeZone);
  guess = naive - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** The next time after `now` that the wall clock in `timeZone` reads `hour:minute`. */
export function nextWallTime(now: Date, hour: number, minute: number, timeZone: string): Date {
  const today = wallClockAt(now, timeZone);
  const candidate = instantOf({ ...today, hour, minute }, timeZone);
  if (candidate.getTime() > now.getTime()) return candidate;
  return tomorrowAt(now, hour, minute, timeZone);
}

/** `hour:minute` on the calendar day after today in `timeZone`. */
export function tomorrowAt(now: Date, hour: number, minute: number, timeZone: string): Date {
  const today = wallClockAt(now, timeZone);
  const next = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
  return instantOf(
    { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour, minute },
    timeZone,
  );
}

/** `HH:MM` of `at` in `timeZone`, e.g. `18:00`. */
export function formatClock(at: Date, timeZone: string): string {
  const w = wallClockAt(at, timeZone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}
