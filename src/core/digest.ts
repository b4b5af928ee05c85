/**
 * The weekly digest of a channel's groups over [since, until): which
 * instances ran beyond their threshold and what those hours cost, which
 * stops Lights Out made and what they avoided, the top 5 by cost, the stops
 * people consented to in advance, and the daily cost beyond threshold.
 * Pure: the runs, the runs still up, the window and the time zone come in.
 *
 * - Hours beyond threshold are the part of [launch + threshold, stop) that
 *   falls in the window; a run still up counts until `until`.
 * - Cost avoided by a stop: the hours from the stop to the instance's next
 *   start, capped at 24 h and at `until`, times the price at the stop.
 * - An unknown price is never $0: its hours are counted apart and shown as unknown.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';
import { formatDuration } from './duration.js';
import type { RunActor } from './instance.js';
import type { RunHistoryEntry, RunStopConsent } from './runHistory.js';

const HOUR_MS = 3_600_000;
/** A stop avoids at most a day of cost: beyond that nobody can say the instance would have run. */
export const AVOIDED_CAP_HOURS = 24;
export const TOP_COUNT = 5;

/** A run that is still up, as far as the digest needs it. */
export interface OpenRun {
  region: string;
  instanceId: string;
  launchTime: string;
  group: string;
  name?: string;
  owner?: string;
  thresholdSeconds: number;
  hourlyUsd: number | null;
}

export interface DigestInput {
  since: Date;
  until: Date;
  /** The channel's time zone: days of the daily series start at its midnight. */
  timeZone: string;
  /** The groups the digest covers (for the heading); all when absent. */
  groups?: readonly string[];
  /** Ended runs; those that stopped up to a day after `until` tell the next start after a stop. */
  runs: readonly RunHistoryEntry[];
  /** Runs still up at `until`. */
  open: readonly OpenRun[];
}

/** Money beside the hours it could not price: `{ usd: 12.3, unpricedHours: 0 }`. */
export interface Cost {
  /** Cost of the hours with a known price; null when none had one. */
  usd: number | null;
  /** Hours whose price is unknown. */
  unpricedHours: number;
}

export interface DigestInstance {
  region: string;
  instanceId: string;
  name?: string;
  group: string;
  owner?: string;
  hoursBeyond: number;
  cost: Cost;
  /** Runs of it that went beyond their threshold in the window. */
  runs: number;
  stillRunning: boolean;
  /** e.g. `2 runs beyond their 12h threshold, 30h in all; still running`. */
  reason: string;
}

export interface DigestStop {
  region: string;
  instanceId: string;
  name?: string;
  group: string;
  owner?: string;
  at: string;
  by?: RunActor;
  consent?: RunStopConsent;
  avoidedHours: number;
  /** null when the price at the stop is unknown. */
  avoidedUsd: number | null;
  /** e.g. `not started again for 24h (the most a stop counts)`. */
  reason: string;
}

export interface DigestDay {
  /** `YYYY-MM-DD` in the digest's time zone. */
  day: string;
  hoursBeyond: number;
  cost: Cost;
}

export interface Digest {
  since: string;
  until: string;
  timeZone: string;
  groups?: string[];
  totals: { hoursBeyond: number; cost: Cost; avoided: Cost; stops: number };
  /** Every instance that went beyond its threshold, costliest first. */
  overThreshold: DigestInstance[];
  /** The TOP_COUNT costliest of them. */
  top: DigestInstance[];
  /** Stops made through Lights Out (from chat, the CLI, consented), oldest first. */
  stops: DigestStop[];
  /** Those of `stops` someone consented to in advance. */
  consented: DigestStop[];
  daily: DigestDay[];
}

interface Span {
  key: string;
  start: number;
  end: number;
  hourlyUsd: number | null;
}

export function buildDigest(input: DigestInput): Digest {
  const since = input.since.getTime();
  const until = input.until.getTime();
  const days = dayStarts(input.since, input.until, input.timeZone);
  const daily: DigestDay[] = days.map((d) => ({
    day: d.label,
    hoursBeyond: 0,
    cost: { usd: null, unpricedHours: 0 },
  }));
  const instances = new Map<string, DigestInstance & { thresholds: Set<number>; unseenStops: number }>();
  const totals = { hoursBeyond: 0, cost: emptyCost(), avoided: emptyCost(), stops: 0 };

  // Called once per run of the window: no spreads or closures allocated per run.
  const addBeyond = (run: OpenRun, runEnd: number, stillRunning: boolean, unseenStop = false) => {
    const start = Math.max(Date.parse(run.launchTime) + run.thresholdSeconds * 1000, since);
    const end = Math.min(runEnd, until);
    if (end <= start) return;
    const id = key(run);
    const hours = (end - start) / HOUR_MS;
    let item = instances.get(id);
    if (!item) {
      item = newInstance(run);
      instances.set(id, item);
    }
    item.hoursBeyond += hours;
    addCost(item.cost, hours, run.hourlyUsd);
    item.runs += 1;
    item.thresholds.add(run.thresholdSeconds);
    if (stillRunning) item.stillRunning = true;
    if (unseenStop) item.unseenStops += 1;
    totals.hoursBeyond += hours;
    addCost(totals.cost, hours, run.hourlyUsd);
    spreadOverDays({ key: id, start, end, hourlyUsd: run.hourlyUsd }, days, daily);
  };

  for (const run of input.runs) {
    const stopped = Date.parse(run.stoppedAt);
    // A stop nobody saw is dated when the run was last known up: its hours stop there.
    if (stopped >= since) addBeyond(run, stopped, false, run.endedBy === 'unobserved');
  }
  for (const run of input.open) addBeyond(run, until, true);

  const starts = nextStarts(input);
  const stops: DigestStop[] = [];
  for (const run of input.runs) {
    const at = Date.parse(run.stoppedAt);
    if (at < since || at >= until || (run.endedBy !== 'actor' && run.endedBy !== 'consented')) continue;
    const next = starts.get(key(run))?.find((t) => t > at);
    const capped = at + AVOIDED_CAP_HOURS * HOUR_MS;
    const end = Math.min(next ?? Number.POSITIVE_INFINITY, capped, until);
    const hours = Math.max(0, end - at) / HOUR_MS;
    const stop: DigestStop = {
      region: run.region,
      instanceId: run.instanceId,
      ...(run.name ? { name: run.name } : {}),
      group: run.group,
      ...(run.owner ? { owner: run.owner } : {}),
      at: run.stoppedAt,
      ...(run.actor ? { by: run.actor } : {}),
      ...(run.consent ? { consent: run.consent } : {}),
      avoidedHours: hours,
      avoidedUsd: run.hourlyUsd === null ? null : hours * run.hourlyUsd,
      reason: avoidedReason(hours, end === next, end === capped, end === until),
    };
    stops.push(stop);
    totals.stops += 1;
    addCost(totals.avoided, hours, run.hourlyUsd);
  }

  const overThreshold = [...instances.values()]
    .map(({ thresholds, unseenStops, ...item }) => ({
      ...item,
      reason: instanceReason(item, thresholds, unseenStops),
    }))
    .sort(byCost);
  return {
    since: input.since.toISOString(),
    until: input.until.toISOString(),
    timeZone: input.timeZone,
    ...(input.groups ? { groups: [...input.groups] } : {}),
    totals,
    overThreshold,
    top: overThreshold.slice(0, TOP_COUNT),
    stops,
    consented: stops.filter((s) => s.consent),
    daily,
  };
}

const key = (r: { region: string; instanceId: string }) => `${r.region}/${r.instanceId}`;
const emptyCost = (): Cost => ({ usd: null, unpricedHours: 0 });

function addCost(cost: Cost, hours: number, hourlyUsd: number | null): void {
  if (hourlyUsd === null) cost.unpricedHours += hours;
  else cost.usd = (cost.usd ?? 0) + hours * hourlyUsd;
}

function newInstance(run: Omit<OpenRun, 'launchTime' | 'thresholdSeconds' | 'hourlyUsd'>) {
  return {
    region: run.region,
    instanceId: run.instanceId,
    ...(run.name ? { name: run.name } : {}),
    group: run.group,
    ...(run.owner ? { owner: run.owner } : {}),
    hoursBeyond: 0,
    cost: emptyCost(),
    runs: 0,
    stillRunning: false,
    reason: '',
    thresholds: new Set<number>(),
    unseenStops: 0,
  };
}

/** Costliest first; priced before unpriced; then most hours; then by id so the order is stable. */
function byCost(a: DigestInstance, b: DigestInstance): number {
  return (
    (b.cost.usd ?? -1) - (a.cost.usd ?? -1) || b.hoursBeyond - a.hoursBeyond || key(a).localeCompare(key(b))
  );
}

/** Launch times of every run of each instance, ascending: the next start after a stop. */
function nextStarts(input: DigestInput): Map<string, number[]> {
  const starts = new Map<string, number[]>();
  for (const r of [...input.runs, ...input.open]) {
    const list = starts.get(key(r)) ?? [];
    list.push(Date.parse(r.launchTime));
    starts.set(key(r), list);
  }
  for (const list of starts.values()) list.sort((a, b) => a - b);
  return starts;
}

function avoidedReason(hours: number, restarted: boolean, capped: boolean, cut: boolean): string {
  const span = formatDuration(Math.round(hours * 3600));
  if (restarted) return `started again ${span} later`;
  if (capped) return `not started again for ${span} (the most a stop counts)`;
  if (cut) return `not started again in the ${span} to the end of the digest`;
  return `stopped for ${span}`;
}

function instanceReason(item: DigestInstance, thresholds: Set<number>, unseenStops: number): string {
  const limits = [...thresholds].sort((a, b) => a - b).map((s) => formatDuration(s));
  const runs = item.runs === 1 ? '1 run' : `${item.runs} runs`;
  const hours = formatDuration(Math.round(item.hoursBeyond * 3600));
  const unseen =
    unseenStops === 0
      ? ''
      : `; ${unseenStops === 1 ? 'a stop' : `${unseenStops} stops`} not seen, counted to when last seen running`;
  return `${runs} beyond ${limits.length === 1 ? 'its' : 'their'} ${limits.join('/')} threshold, ${hours} in all${item.stillRunning ? '; still running' : ''}${unseen}`;
}

interface DayStart {
  label: string;
  start: number;
}

/** Midnights in `timeZone` that cut [since, until) into days, the first at or before `since`. */
function dayStarts(since: Date, until: Date, timeZone: string): DayStart[] {
  const out: DayStart[] = [];
  let day = startOfDay(new TZDate(since, timeZone));
  while (day.getTime() < until.getTime()) {
    out.push({ label: isoDay(day), start: day.getTime() });
    day = startOfDay(addDays(day, 1));
  }
  return out;
}

const isoDay = (d: TZDate): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Adds the span's hours and cost to each day it overlaps (binary search for the first). */
function spreadOverDays(span: Span, days: DayStart[], daily: DigestDay[]): void {
  let lo = 0;
  let hi = days.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (days[mid]!.start <= span.start) lo = mid;
    else hi = mid - 1;
  }
  for (let i = lo; i < days.length; i++) {
    const dayEnd = days[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    const start = Math.max(span.start, days[i]!.start);
    const end = Math.min(span.end, dayEnd);
    if (end <= start) break;
    const hours = (end - start) / HOUR_MS;
    daily[i]!.hoursBeyond += hours;
    addCost(daily[i]!.cost, hours, span.hourlyUsd);
  }
}
