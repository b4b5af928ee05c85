/**
 * Resolves a Snooze or Extend menu choice (`src/core/message/menuChoices.ts`)
 * at click time, in the clicker's own time zone.
 */
import { HOUR } from '../../core/duration.js';
import { EXTEND_CHOICES, SNOOZE_CHOICES } from '../../core/message/menuChoices.js';
import { isValidTimeZone } from '../../core/when.js';
import { tomorrowAt } from './zonedTime.js';

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
