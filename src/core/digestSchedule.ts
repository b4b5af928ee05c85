/**
 * When a channel's weekly digest is due. One per channel per week, on
 * Monday at 09:00 in the channel's time zone, covering the week before
 * (Monday 00:00 to Monday 00:00 there). Pure: `now` and the settings come in,
 * and the answer says why.
 *
 * The digest is due from the slot until a day after it, so an hourly tick
 * (or a process that was down at 09:00) still sends it that Monday, while a
 * channel that subscribes on a Wednesday does not get last week's digest out
 * of the blue. The week key (`2026-11-23`, the Monday of the slot) is what a
 * store claims once, so a tick that fires twice sends one digest.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, previousMonday, set, startOfDay } from 'date-fns';

export type DigestCadence = 'weekly' | 'off';

/** What a channel chose; absent fields take the deployment's defaults. */
export interface DigestPreference {
  cadence?: DigestCadence;
  timeZone?: string;
  /** The week key of the last digest sent (see `weekKey`). */
  lastSentWeek?: string;
}

export interface DigestDefaults {
  cadence: DigestCadence;
  timeZone: string;
}

export const DIGEST_HOUR = 9;
/** `09:00`, as every message spells the slot. */
export const DIGEST_TIME = `${String(DIGEST_HOUR).padStart(2, '0')}:00`;
const GRACE_MS = 24 * 3_600_000;

export type DigestDecision =
  | { due: true; week: string; since: Date; until: Date; timeZone: string; reason: string }
  | { due: false; reason: string };

/** This week's Monday 09:00 in `timeZone`, at or before `now`, and the week it reports on. */
export function weeklySlot(
  now: Date,
  timeZone: string,
): { slot: Date; week: string; since: Date; until: Date } {
  const local = new TZDate(now, timeZone);
  let monday = local.getDay() === 1 ? startOfDay(local) : startOfDay(previousMonday(local));
  let slot = set(monday, { hours: DIGEST_HOUR, minutes: 0, seconds: 0, milliseconds: 0 });
  if (slot.getTime() > now.getTime()) {
    monday = startOfDay(addDays(monday, -7));
    slot = set(monday, { hours: DIGEST_HOUR, minutes: 0, seconds: 0, milliseconds: 0 });
  }
  const since = startOfDay(addDays(monday, -7));
  return {
    slot: new Date(slot.getTime()),
    week: `${monday.getFullYear()}-${String(monday.getMonth() + 1).padStart(2, '0')}-${String(monday.getDate()).padStart(2, '0')}`,
    since: new Date(since.getTime()),
    until: new Date(monday.getTime()),
  };
}

/** Whether the weekly digest of a channel is due at `now`. */
export function digestDue(pref: DigestPreference, defaults: DigestDefaults, now: Date): DigestDecision {
  const cadence = pref.cadence ?? defaults.cadence;
  if (cadence === 'off') return { due: false, reason: 'the weekly digest is off for this channel' };
  const timeZone = pref.timeZone ?? defaults.timeZone;
  const { slot, week, since, until } = weeklySlot(now, timeZone);
  if (pref.lastSentWeek === week) return { due: false, reason: `the digest of the week of ${week} was sent` };
  if (now.getTime() - slot.getTime() >= GRACE_MS) {
    return {
      due: false,
      reason: `Monday ${DIGEST_TIME} ${timeZone} passed more than a day ago; next Monday`,
    };
  }
  return {
    due: true,
    week,
    since,
    until,
    timeZone,
    reason: `Monday ${DIGEST_TIME} ${timeZone} has come for the week of ${week}`,
  };
}
