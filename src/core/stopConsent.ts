/**
 * Consent to stop a run later: "stop it at 19:00", "stop it in 2h", "stop it
 * once it is idle". Stopping someone's instance without their consent is
 * never acceptable, so every automatic stop carries who consented and when,
 * from chat, the `AutoStop` tag or a group's standing consent.
 * Pure: `now` and time zones come in; every decision carries a reason.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, set } from 'date-fns';
import { DAY, formatDuration, HOUR, MINUTE, parseDuration } from './duration.js';
import type { InstanceRecord, RunActor } from './instance.js';
import { quoted } from './quote.js';
import { formatDayTimeUtc } from './when.js';

/** Who consented: a person (chat, CLI), or standing consent from a tag or a group subscription. */
export type ConsentGiver = RunActor | { source: 'tag' | 'group'; detail: string };

export type ConsentSpec = { kind: 'at'; at: string } | { kind: 'idle'; forSeconds: number };

export type StopConsent = ConsentSpec & {
  by: ConsentGiver;
  /** When consent was given (ISO). */
  givenAt: string;
  /** When the "stopping in 10 minutes" warning went out (ISO); cleared when the time moves. */
  warnedAt?: string;
  /** Who last moved the stop (+1h); the message says "Postponed to 20:00 by @bo". */
  postponedBy?: RunActor;
};

/** What a stop record keeps of the consent it carried out (RunStop.consent). */
export interface StopConsentRecord {
  kind: 'at' | 'idle';
  by: ConsentGiver;
  givenAt: string;
}

/** How long before a scheduled stop the warning goes out. */
export const STOP_WARNING_SECONDS = 10 * MINUTE;
/** The latest a stop may be scheduled ahead: a week, as long as a snooze. */
export const MAX_STOP_AHEAD_SECONDS = 7 * DAY;
/** The soonest: a minute, EventBridge Scheduler's precision. */
export const MIN_STOP_AHEAD_SECONDS = MINUTE;
/** What +1h adds. */
export const POSTPONE_SECONDS = HOUR;
export const DEFAULT_AUTOSTOP_TAG = 'AutoStop';
/** Idle windows people may ask for: long enough to be meaningful, short enough to matter. */
export const IDLE_WINDOW_BOUNDS = { minSeconds: 5 * MINUTE, maxSeconds: DAY, bareUnit: 'm' as const };

export const isPerson = (by: ConsentGiver): by is RunActor => 'platform' in by;

/** `@ana`, `the AutoStop tag (AutoStop=at:19:00)`, `group web's standing consent (idle:30m)`. */
export function consentGiverText(by: ConsentGiver, person: (p: RunActor) => string = plainPerson): string {
  if (isPerson(by)) return person(by);
  return by.source === 'tag' ? `the tag ${by.detail}` : `the group's standing consent (${by.detail})`;
}

const plainPerson = (p: RunActor): string => `@${p.name ?? p.id}`;

/** `cli:alice`, `tag:AutoStop=at:19:00`: the consent giver as the audit log spells it. */
export function consentGiverAudit(by: ConsentGiver): string {
  return isPerson(by) ? `${by.platform}:${by.id}` : `${by.source}:${by.detail}`;
}

export type StopTimeParse = { ok: true; at: Date; reason: string } | { ok: false; reason: string };

const CLOCK_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Works for every "bad time" reply. */
export const STOP_TIME_HELP = 'use --at HH:MM (24-hour, e.g. --at 19:00) or --in <duration> (e.g. --in 2h)';

/** The next time after `now` that the wall clock in `timeZone` reads `hour:minute` (DST skips resolve forward). */
export function nextClockTime(now: Date, hour: number, minute: number, timeZone: string): Date {
  const at = (day: TZDate) =>
    new Date(set(day, { hours: hour, minutes: minute, seconds: 0, milliseconds: 0 }).getTime());
  const today = at(new TZDate(now, timeZone));
  return today.getTime() > now.getTime() ? today : at(addDays(new TZDate(now, timeZone), 1));
}

/** `19:00` → its next occurrence in `timeZone`. */
export function parseStopAt(input: string, now: Date, timeZone: string): StopTimeParse {
  const m = CLOCK_RE.exec(input.trim());
  if (!m) return { ok: false, reason: `${quoted(input)} is not a time of day; ${STOP_TIME_HELP}` };
  const at = nextClockTime(now, Number(m[1]), Number(m[2]), timeZone);
  return checkLead(at, now, `next ${m[1]!.padStart(2, '0')}:${m[2]} in ${timeZone}`);
}

/** `2h` → now + 2h. */
export function parseStopIn(input: string, now: Date): StopTimeParse {
  const d = parseDuration(input, {
    minSeconds: MIN_STOP_AHEAD_SECONDS,
    maxSeconds: MAX_STOP_AHEAD_SECONDS,
    bareUnit: 'h',
  });
  if (!d.ok) return { ok: false, reason: `--in ${quoted(input)} ${d.reason}` };
  return {
    ok: true,
    at: new Date(now.getTime() + d.seconds * 1000),
    reason: `in ${formatDuration(d.seconds)}`,
  };
}

/** A stop time is at least a minute ahead and at most a week. */
export function checkLead(at: Date, now: Date, why: string): StopTimeParse {
  const ahead = (at.getTime() - now.getTime()) / 1000;
  if (Number.isNaN(ahead)) return { ok: false, reason: `that is not a time; ${STOP_TIME_HELP}` };
  if (ahead < MIN_STOP_AHEAD_SECONDS)
    return { ok: false, reason: `${formatDayTimeUtc(at)} is less than a minute away; stop it now instead` };
  if (ahead > MAX_STOP_AHEAD_SECONDS)
    return {
      ok: false,
      reason: `${formatDayTimeUtc(at)} is more than ${formatDuration(MAX_STOP_AHEAD_SECONDS)} away`,
    };
  return { ok: true, at, reason: why };
}

/** A standing consent as written in a tag or a subscription: `at:19:00`, `idle:30m`. */
export type AutoStopSpec =
  | { kind: 'at'; hour: number; minute: number }
  | { kind: 'idle'; forSeconds: number };

export type AutoStopParse = { ok: true; spec: AutoStopSpec | undefined } | { ok: false; reason: string };

/** Parses `at:19:00`, `idle:30m` or `off`; anything else says what works. */
export function parseAutoStop(raw: string): AutoStopParse {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'false') return { ok: true, spec: undefined };
  const [kind, ...rest] = value.split(':');
  const arg = rest.join(':');
  if (kind === 'at') {
    const m = CLOCK_RE.exec(arg);
    if (m) return { ok: true, spec: { kind: 'at', hour: Number(m[1]), minute: Number(m[2]) } };
    return { ok: false, reason: `${quoted(arg)} is not a 24-hour HH:MM time` };
  }
  if (kind === 'idle') {
    const d = parseDuration(arg, IDLE_WINDOW_BOUNDS);
    if (d.ok) return { ok: true, spec: { kind: 'idle', forSeconds: d.seconds } };
    return { ok: false, reason: `idle window ${quoted(arg)} ${d.reason.replace(/\s*\(.*\)$/, '')}` };
  }
  return { ok: false, reason: 'expected at:HH:MM, idle:<duration> or off' };
}

/** `at:19:00` / `idle:30m`, the way tags and subscriptions spell a spec. */
export function autoStopText(spec: AutoStopSpec): string {
  return spec.kind === 'at'
    ? `at:${String(spec.hour).padStart(2, '0')}:${String(spec.minute).padStart(2, '0')}`
    : `idle:${formatDuration(spec.forSeconds).replace(/\s/g, '')}`;
}

/** The consent a standing spec gives a run seen at `now`: `at:` means the next such time in the group's zone. */
export function consentFromSpec(
  spec: AutoStopSpec,
  by: Exclude<ConsentGiver, RunActor>,
  now: Date,
  timeZone: string,
): StopConsent {
  const givenAt = now.toISOString();
  if (spec.kind === 'idle') return { kind: 'idle', forSeconds: spec.forSeconds, by, givenAt };
  const at = nextClockTime(now, spec.hour, spec.minute, timeZone);
  return { kind: 'at', at: at.toISOString(), by, givenAt };
}

export type StandingConsentDecision =
  | { action: 'give'; consent: StopConsent; reason: string }
  | { action: 'keep'; reason: string };

/**
 * Whether a standing consent (the AutoStop tag) applies to this run now. It
 * applies once per run: not over a consent already given, nor after someone
 * cancelled the consent for this run (`consentCancelled`).
 */
export function decideStandingConsent(
  record: Pick<InstanceRecord, 'stopConsent' | 'consentCancelled' | 'state'>,
  standing: { spec: AutoStopSpec; by: Exclude<ConsentGiver, RunActor> } | undefined,
  now: Date,
  timeZone: string,
): StandingConsentDecision {
  if (!standing) return { action: 'keep', reason: 'no standing consent' };
  if (record.state !== 'running') return { action: 'keep', reason: `run is ${record.state}` };
  if (record.stopConsent) return { action: 'keep', reason: 'consent already given for this run' };
  if (record.consentCancelled)
    return {
      action: 'keep',
      reason: `${consentGiverText(record.consentCancelled.by)} cancelled the stop for this run`,
    };
  const consent = consentFromSpec(standing.spec, standing.by, now, timeZone);
  return {
    action: 'give',
    consent,
    reason: `${consentGiverText(standing.by)} consents to ${autoStopText(standing.spec)}`,
  };
}

/** When the warning for a stop at `at` goes out: ten minutes before, or at once when that has passed. */
export function warningTime(at: Date, now: Date, warningSeconds = STOP_WARNING_SECONDS): Date | undefined {
  const warnAt = at.getTime() - warningSeconds * 1000;
  if (at.getTime() - now.getTime() < 2 * MINUTE * 1000) return undefined; // too close to warn usefully
  return new Date(Math.max(warnAt, now.getTime()));
}

/** One firing of a one-shot stop schedule. */
export interface StopFiring {
  kind: 'warn' | 'stop';
  region: string;
  instanceId: string;
  launchTime: string;
  /** The stop time the schedule was made for (ISO). */
  stopAt: string;
}

export type FiringDecision = { act: 'warn' | 'stop'; reason: string } | { act: 'nothing'; reason: string };

/**
 * What a firing does. A schedule for an old run, a cancelled or moved stop,
 * or a second warning does nothing, and says why.
 */
export function decideFiring(
  record: InstanceRecord | undefined,
  firing: StopFiring,
  now?: Date,
): FiringDecision {
  if (!record) return { act: 'nothing', reason: 'Lights Out no longer tracks the instance' };
  if (!sameSecond(record.launchTime, firing.launchTime))
    return {
      act: 'nothing',
      reason: `the schedule was for the run launched ${firing.launchTime}; the current run launched ${record.launchTime}`,
    };
  if (record.state !== 'running' && record.state !== 'pending')
    return { act: 'nothing', reason: `the run is already ${record.state}` };
  const consent = record.stopConsent;
  if (consent?.kind !== 'at')
    return {
      act: 'nothing',
      reason: record.consentCancelled
        ? `${consentGiverText(record.consentCancelled.by)} cancelled the stop at ${record.consentCancelled.at}`
        : 'no stop is scheduled for this run any more',
    };
  if (!sameSecond(consent.at, firing.stopAt))
    return { act: 'nothing', reason: `the stop was moved to ${consent.at}` };
  if (firing.kind === 'warn') {
    if (consent.warnedAt) return { act: 'nothing', reason: `already warned at ${consent.warnedAt}` };
    // A warning delivered late (the process was down) would only announce what is happening anyway.
    if (now && now.getTime() >= Date.parse(consent.at))
      return { act: 'nothing', reason: 'the stop is due now; a warning would come too late' };
    return { act: 'warn', reason: `stop due at ${consent.at}` };
  }
  return { act: 'stop', reason: `${consentGiverText(consent.by)} consented at ${consent.givenAt}` };
}

/** Launch and stop times from schedules, the store and tokens may differ in millisecond formatting. */
const sameSecond = (a: string, b: string): boolean =>
  Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);

/** A consent moved by `seconds` (+1h): the warning goes out again before the new time. */
export function postponed(
  consent: StopConsent & { kind: 'at' },
  seconds: number,
  by?: RunActor,
): StopConsent {
  const { warnedAt: _w, ...rest } = consent;
  return {
    ...rest,
    at: new Date(Date.parse(consent.at) + seconds * 1000).toISOString(),
    ...(by ? { postponedBy: by } : {}),
  };
}
