/**
 * Compares what EC2 says (running instances and their tags), what the store
 * remembers (records) and what is scheduled (one nag schedule per instance),
 * and lists the repairs that bring them back in line, each with a reason.
 * Pure: one region at a time, `now` passed in.
 */
import { formatDuration } from './duration.js';
import type { InstanceRecord } from './instance.js';
import { type InstanceFacts, isTerminating, isUp, plannedNagAt, withFacts } from './runLifecycle.js';
import type { TagPolicy } from './tagPolicy.js';

export interface ObservedInstance {
  instanceId: string;
  facts: InstanceFacts;
  policy: TagPolicy;
}

export interface ScheduledNag {
  instanceId: string;
  launchTime: string;
  dueAt: string;
}

export type Repair =
  /** Running and monitored, but no record of this run: handle it as a `running` state change. */
  | { kind: 'track'; instanceId: string; reason: string }
  /** Running but no longer monitored: forget it. */
  | { kind: 'untrack'; instanceId: string; reason: string }
  /** Recorded as live but not among running instances: look it up and apply what EC2 says. */
  | { kind: 'observe'; instanceId: string; reason: string }
  /** (Re)create the schedule; `record` carries refreshed tags when they moved the due time. */
  | {
      kind: 'schedule';
      instanceId: string;
      launchTime: string;
      dueAt: string;
      record?: InstanceRecord;
      reason: string;
    }
  /** A schedule nothing live backs. */
  | { kind: 'cancel'; instanceId: string; reason: string }
  /** A tombstone past its expiry (DynamoDB TTL does this lazily; SQLite relies on it). */
  | { kind: 'purge'; instanceId: string; reason: string };

export function diffRegion(input: {
  running: ObservedInstance[];
  records: InstanceRecord[];
  schedules: ScheduledNag[];
  now: Date;
  /**
   * Also look up stopped records, to notice a termination while stopped. The
   * single process needs this (no EC2 events); with EventBridge it would only
   * cost calls, since terminations arrive as events.
   */
  observeStopped?: boolean;
}): Repair[] {
  const { now } = input;
  const repairs: Repair[] = [];
  const records = new Map(input.records.map((r) => [r.instanceId, r]));
  const schedules = new Map(input.schedules.map((s) => [s.instanceId, s]));
  const running = new Map(input.running.map((o) => [o.instanceId, o]));

  for (const seen of input.running) {
    const record = records.get(seen.instanceId);
    const sameRun = record && Date.parse(record.launchTime) === Date.parse(seen.facts.launchTime);
    if (!seen.policy.monitored) {
      if (record && !isTerminating(record.state)) {
        repairs.push({
          kind: 'untrack',
          instanceId: seen.instanceId,
          reason: `no longer monitored: ${seen.policy.reason}`,
        });
      } else if (schedules.has(seen.instanceId)) {
        repairs.push({
          kind: 'cancel',
          instanceId: seen.instanceId,
          reason: `not monitored: ${seen.policy.reason}`,
        });
      }
      continue;
    }
    if (!record || !sameRun || !isUp(record.state)) {
      const why = !record
        ? 'running with no record'
        : !sameRun
          ? `running a new run (launched ${seen.facts.launchTime}) the record has not seen`
          : `running but recorded as ${record.state}`;
      repairs.push({ kind: 'track', instanceId: seen.instanceId, reason: why });
      continue;
    }
    const repair = scheduleRepair(record, seen, schedules.get(seen.instanceId), now);
    if (repair) repairs.push(repair);
  }

  for (const record of input.records) {
    if (running.has(record.instanceId)) continue;
    if (isTerminating(record.state)) {
      if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) {
        repairs.push({
          kind: 'purge',
          instanceId: record.instanceId,
          reason: `tombstone expired at ${record.expiresAt}`,
        });
      }
      continue;
    }
    if (!isUp(record.state) && input.observeStopped === false) continue;
    repairs.push({
      kind: 'observe',
      instanceId: record.instanceId,
      reason: isUp(record.state)
        ? `recorded as ${record.state} but not among running instances`
        : `recorded as ${record.state}; checking it still exists`,
    });
  }

  for (const schedule of input.schedules) {
    const record = records.get(schedule.instanceId);
    if (running.has(schedule.instanceId)) continue; // handled above
    if (!record || !isUp(record.state)) {
      repairs.push({
        kind: 'cancel',
        instanceId: schedule.instanceId,
        reason: record ? `schedule for a ${record.state} instance` : 'schedule with no record',
      });
    }
  }
  return repairs;
}

function scheduleRepair(
  record: InstanceRecord,
  seen: ObservedInstance,
  schedule: ScheduledNag | undefined,
  now: Date,
): Repair | undefined {
  const fresh = withFacts(record, seen.facts, seen.policy);
  const planned = plannedNagAt(fresh);
  const recordedAt = record.nextNagAt ? Date.parse(record.nextNagAt) : undefined;
  const base = { kind: 'schedule' as const, instanceId: record.instanceId, launchTime: record.launchTime };

  // Tags are re-read at every evaluation: a changed Threshold/RenotifyEvery moves the next nag.
  const moved =
    recordedAt === undefined ||
    (Math.abs(planned.getTime() - recordedAt) > 60_000 &&
      (planned.getTime() > now.getTime() || recordedAt - now.getTime() > fresh.renotifySeconds * 1000));
  if (moved) {
    const dueAt = new Date(Math.max(planned.getTime(), now.getTime())).toISOString();
    const why =
      recordedAt === undefined
        ? 'no next nag recorded'
        : `tags now give threshold ${formatDuration(fresh.thresholdSeconds)}, renotify ${formatDuration(fresh.renotifySeconds)}`;
    return { ...base, dueAt, record: { ...fresh, nextNagAt: dueAt }, reason: `${why}; next nag at ${dueAt}` };
  }
  const dueAt = new Date(Math.max(recordedAt, now.getTime())).toISOString();
  if (!schedule)
    return { ...base, dueAt, reason: `schedule missing (deleted by hand?); recreated for ${dueAt}` };
  if (Date.parse(schedule.launchTime) !== Date.parse(record.launchTime)) {
    return { ...base, dueAt, reason: `schedule belongs to an earlier run; replaced for ${dueAt}` };
  }
  if (
    Math.abs(Date.parse(schedule.dueAt) - recordedAt) > 60_000 &&
    Date.parse(schedule.dueAt) > now.getTime()
  ) {
    return {
      ...base,
      dueAt,
      reason: `schedule due ${schedule.dueAt} disagrees with the record; moved to ${dueAt}`,
    };
  }
  return undefined;
}
