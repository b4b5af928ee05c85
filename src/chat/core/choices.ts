/**
 * Resolves a Snooze or Extend menu choice (`src/core/message/menuChoices.ts`)
 * at click time, in the clicker's own time zone.
 */
import { HOUR } from '../../core/duration.js';
import { EXTEND_CHOICES, SNOOZE_CHOICES, STOP_AT_CHOICES } from '../../core/message/menuChoices.js';
import { isValidTimeZone } from '../../core/when.js';
import { nextWallTime, tomorrowAt } from './zonedTime.js';

const HOURS_RE = /^(\d{1,2})h$/;
const TOMORROW_RE = /^tomorrow-(\d{2}):(\d{2})$/;

export type Resolved<T> = { ok: true; value: T } | { ok: false; reason: string };

/** When a snooze choice ends; `timeZone` is the clicker's (UTC when unknown). */
export function resolveSnoozeChoice(value: string, now: Date, timeZone: string | undefined): Resolved<Date> {
  if (!SNOOZE_CHOICES.some((c) => c.value === value)) {
    return {
      ok: false,
      reason: `"${value}" is not a snooze option (${SNOOZE_CHOICES.map((c) => c.value).join(', ')})`,
    };
  }
  const hours = HOURS_RE.exec(value);
  if (hours) return { ok: true, value: new Date(now.getTime() + Number(hours[1]) * HOUR * 1000) };
  const at = TOMORROW_RE.exec(value);
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  return { ok: true, value: tomorrowAt(now, Number(at?.[1]), Number(at?.[2]), zone) };
}

/** Seconds an extend choice adds to this run's threshold. */
export function resolveExtendChoice(value: string): Resolved<number> {
  const hours = EXTEND_CHOICES.some((c) => c.value === value) ? HOURS_RE.exec(value) : null;
  if (!hours) {
    return {
      ok: false,
      reason: `"${value}" is not an extend option (${EXTEND_CHOICES.map((c) => c.value).join(', ')})`,
    };
  }
  return { ok: true, value: Number(hours[1]) * HOUR };
}

const IN_RE = /^in-(\d{1,2})h$/;
/** `at-19:00` from the menu, or `19:00` from a time picker (Slack `timepicker`, Teams `Input.Time`). */
const AT_RE = /^(?:at-)?([01]\d|2[0-3]):([0-5]\d)(?::\d{2})?$/;

/**
 * When a "Stop at…" choice or picked time means: `in-2h` from now; a clock
 * time at its next occurrence in the clicker's zone (UTC when unknown), like
 * "Until 09:00 tomorrow" for snooze. The consent service checks the lead.
 */
export function resolveStopAtChoice(value: string, now: Date, timeZone: string | undefined): Resolved<Date> {
  const menu = value.startsWith('in-') || value.startsWith('at-');
  const known = !menu || STOP_AT_CHOICES.some((c) => c.value === value);
  const hours = IN_RE.exec(value);
  if (known && hours) return { ok: true, value: new Date(now.getTime() + Number(hours[1]) * HOUR * 1000) };
  const at = known ? AT_RE.exec(value) : null;
  if (!at) {
    return {
      ok: false,
      reason: `"${value}" is not a stop time: pick one of the menu (${STOP_AT_CHOICES.map((c) => c.label).join(', ')}) or a time of day (HH:MM)`,
    };
  }
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  return { ok: true, value: nextWallTime(now, Number(at[1]), Number(at[2]), zone) };
}
