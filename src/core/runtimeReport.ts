/**
 * Runtime reports, longest first. `buildRuntimeReport`: the rows of
 * `lightsout list`, from what EC2 says, as of `at` (now, or a future time for
 * "who will be over by 18:00?"). `buildStoredRunReport`: the rows of
 * `/ec2 list` and the Slack App Home, from the store, as of now.
 */
import {
  consoleUrl,
  effectiveThresholdSeconds,
  type InstanceRecord,
  type InstanceState,
  runtimeSeconds,
} from './instance.js';
import type { InstancePrice } from './price.js';
import type { InstanceFacts } from './runLifecycle.js';
import { TAG, type TagPolicy } from './tagPolicy.js';

export interface RuntimeRow {
  instanceId: string;
  name?: string;
  region: string;
  group: string;
  state: InstanceState;
  launchTime: string;
  instanceType?: string;
  runtimeSeconds: number;
  /** Threshold in force: the tag's (or default) plus any extension of this run. */
  thresholdSeconds: number;
  over: boolean;
  snoozedUntil?: string;
  nagCount: number;
  /** The store says the last nag reached no chat channel. */
  undelivered: boolean;
  /** Why the last nag reached no channel, e.g. `slack:C0WEB channel_not_found`. */
  undeliveredReason?: string;
  warnings: string[];
  /** The run's hourly price: the HourlyCost tag's, else the stored run's; absent while unknown (`formatCost` says so). */
  price?: InstancePrice;
}

export interface ReportEntry {
  region: string;
  instanceId: string;
  facts: InstanceFacts;
  policy: TagPolicy;
  /** The stored record, when a store is available. */
  record?: InstanceRecord;
}

/** One row of `/ec2 list` and the App Home: a stored run as of now. */
export interface InstanceRow {
  name?: string;
  instanceId: string;
  region: string;
  group: string;
  state: string;
  runtimeSeconds: number;
  thresholdSeconds: number;
  over: boolean;
  nextNagAt?: string;
  /** Only while the snooze is in force. */
  snoozedUntil?: string;
  /** The last nag reached no channel. */
  undelivered: boolean;
  /** Why, e.g. `slack:C0WEB channel_not_found`. */
  undeliveredReason?: string;
  consoleUrl: string;
  /** The run's hourly price; absent while unknown (`formatCost` says so). */
  price?: InstancePrice;
}

/** Stored runs as of `now`, longest first; `overOnly` keeps those at or over their threshold. */
export function buildStoredRunReport(
  records: InstanceRecord[],
  now: Date,
  filter: { overOnly?: boolean } = {},
): InstanceRow[] {
  return records
    .map((r) => storedRunRow(r, now))
    .filter((r) => !filter.overOnly || r.over)
    .sort(longestFirst);
}

function storedRunRow(r: InstanceRecord, now: Date): InstanceRow {
  const ran = runtimeSeconds(r, now);
  const threshold = effectiveThresholdSeconds(r);
  return {
    name: r.name,
    instanceId: r.instanceId,
    region: r.region,
    group: r.group,
    state: r.state,
    runtimeSeconds: ran,
    thresholdSeconds: threshold,
    over: ran >= threshold,
    nextNagAt: r.nextNagAt,
    snoozedUntil: r.snoozedUntil && Date.parse(r.snoozedUntil) > now.getTime() ? r.snoozedUntil : undefined,
    undelivered: !!r.undelivered,
    undeliveredReason: r.undelivered ? r.undeliveredReason : undefined,
    consoleUrl: consoleUrl(r),
    ...(r.price ? { price: r.price } : {}),
  };
}

const longestFirst = (a: { runtimeSeconds: number; instanceId: string }, b: typeof a): number =>
  b.runtimeSeconds - a.runtimeSeconds || a.instanceId.localeCompare(b.instanceId);

export function buildRuntimeReport(
  entries: ReportEntry[],
  at: Date,
  filter: { group?: string; overOnly?: boolean } = {},
): RuntimeRow[] {
  const rows: RuntimeRow[] = [];
  for (const e of entries) {
    if (!e.policy.monitored) continue;
    if (filter.group && e.policy.group !== filter.group) continue;
    const sameRun = e.record && Date.parse(e.record.launchTime) === Date.parse(e.facts.launchTime);
    const runtimeSeconds = Math.max(0, Math.floor((at.getTime() - Date.parse(e.facts.launchTime)) / 1000));
    const thresholdSeconds = e.policy.thresholdSeconds + (sameRun ? (e.record?.extensionSeconds ?? 0) : 0);
    const over = runtimeSeconds >= thresholdSeconds;
    if (filter.overOnly && !over) continue;
    const snoozed = sameRun && e.record?.snoozedUntil && Date.parse(e.record.snoozedUntil) > at.getTime();
    const price = reportPrice(e, sameRun === true, at);
    rows.push({
      instanceId: e.instanceId,
      name: e.facts.tags[TAG.name],
      region: e.region,
      group: e.policy.group,
      state: e.facts.state ?? 'running',
      launchTime: e.facts.launchTime,
      instanceType: e.facts.instanceType,
      runtimeSeconds,
      thresholdSeconds,
      over,
      snoozedUntil: snoozed ? e.record?.snoozedUntil : undefined,
      nagCount: sameRun ? (e.record?.nagCount ?? 0) : 0,
      undelivered: Boolean(sameRun && e.record?.undelivered),
      undeliveredReason: sameRun && e.record?.undelivered ? e.record.undeliveredReason : undefined,
      warnings:
        sameRun && e.record?.ownerWarning
          ? [...e.policy.warnings, e.record.ownerWarning]
          : [...e.policy.warnings],
      ...(price ? { price } : {}),
    });
  }
  return rows.sort(longestFirst);
}

/** The HourlyCost tag's price when the instance has a valid one (it may be newer than the record), else the run's stored price. */
function reportPrice(e: ReportEntry, sameRun: boolean, at: Date): InstancePrice | undefined {
  if (e.policy.hourlyCostUsd !== undefined) {
    return { hourlyUsd: e.policy.hourlyCostUsd, source: 'tag', at: at.toISOString() };
  }
  return sameRun ? e.record?.price : undefined;
}
