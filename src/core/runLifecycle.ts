/**
 * Applies one observed EC2 state change to an instance record. Pure: the
 * caller passes what EC2 says about the instance now, the tag policy and `now`.
 *
 * Ordering: a run is identified by its launch time (a stop/start is a new run),
 * and within a run the states only move forward (pending → running → stopping
 * → stopped → shutting-down → terminated). So an event for an earlier run, or
 * one that would move a run backwards (`running` arriving after `stopped`), is
 * ignored; ties on the same state are ordered by event time. Duplicates and
 * out-of-order deliveries therefore never corrupt a record.
 */
import { formatDuration } from './duration.js';
import type { InstanceRecord, InstanceState } from './instance.js';
import type { InstancePrice } from './price.js';
import { TAG, type TagPolicy } from './tagPolicy.js';

/** What EC2 reports about the instance (a FleetInstance fits). */
export interface InstanceFacts {
  launchTime: string;
  state?: InstanceState;
  instanceType?: string;
  availabilityZone?: string;
  privateIp?: string;
  publicIp?: string;
  accountId?: string;
  /** `HibernationOptions.Configured`; fixed at launch. */
  hibernationConfigured?: boolean;
  /** What the price depends on (see priceLookup.ts). */
  platform?: string;
  tenancy?: string;
  lifecycle?: string;
  tags: Record<string, string>;
}

export interface StateChange {
  region: string;
  instanceId: string;
  state: InstanceState;
  /** Event time (or observation time for sweeps), ISO. */
  at: string;
  /** Live facts, when EC2 still describes the instance. */
  facts?: InstanceFacts;
}

export type LifecycleOutcome =
  | { kind: 'ignore'; reason: string }
  /** No longer monitored: forget the record and cancel its schedule. */
  | { kind: 'untrack'; reason: string }
  | {
      kind: 'update';
      record: InstanceRecord;
      schedule: 'set' | 'cancel';
      event?: { type: 'instance.stopped' | 'instance.terminated'; runtimeSeconds: number };
      /** The previous run, closed because a newer run replaced it before its stop was seen. */
      unseenEnd?: UnseenEnd;
      reason: string;
    };

/** A run closed without its stop being seen: the record as it ended, for its `instance.stopped`. */
export interface UnseenEnd {
  record: InstanceRecord;
  runtimeSeconds: number;
  /** When it ended as far as anyone knows (the record's `lastStop.at`). */
  at: string;
}

const RANK: Record<InstanceState, number> = {
  pending: 0,
  running: 1,
  stopping: 2,
  stopped: 3,
  'shutting-down': 4,
  terminated: 5,
};

export const isUp = (s: InstanceState): boolean => s === 'pending' || s === 'running';
export const isStopping = (s: InstanceState): boolean => s === 'stopping' || s === 'stopped';
export const isTerminating = (s: InstanceState): boolean => s === 'shutting-down' || s === 'terminated';

export function applyStateChange(
  existing: InstanceRecord | undefined,
  change: StateChange,
  policy: TagPolicy,
  opts: { now: Date; tombstoneTtlSeconds: number },
): LifecycleOutcome {
  const launchTime = change.facts?.launchTime ?? existing?.launchTime;
  if (!launchTime) {
    return {
      kind: 'ignore',
      reason: `${change.state} for an instance EC2 no longer describes and we never saw`,
    };
  }
  const sameRun = existing !== undefined && Date.parse(existing.launchTime) === Date.parse(launchTime);
  if (existing && !sameRun && Date.parse(launchTime) < Date.parse(existing.launchTime)) {
    return {
      kind: 'ignore',
      reason: `${change.state} belongs to an earlier run (launched ${launchTime}; current run launched ${existing.launchTime})`,
    };
  }
  if (existing && sameRun) {
    const forward = RANK[change.state] - RANK[existing.state];
    if (forward < 0 || (forward === 0 && Date.parse(change.at) <= Date.parse(existing.stateChangedAt))) {
      return {
        kind: 'ignore',
        reason: `${change.state} at ${change.at} is older than the recorded ${existing.state} at ${existing.stateChangedAt}`,
      };
    }
    // A sweep sees a stopped instance again and again: nothing new, so nothing to write or tell.
    if (forward === 0 && !isUp(change.state)) {
      return { kind: 'ignore', reason: `already ${existing.state} since ${existing.stateChangedAt}` };
    }
  }

  const tracked = existing && sameRun ? existing : undefined;
  if (!policy.monitored && !(tracked && !isUp(change.state))) {
    return existing
      ? { kind: 'untrack', reason: `no longer monitored: ${policy.reason}` }
      : { kind: 'ignore', reason: `not monitored: ${policy.reason}` };
  }

  const outcome = applyToRun(existing, tracked, change, launchTime, policy, opts);
  // A newer run replaced one whose stop was never seen: close that one too, or it never reaches the history.
  const unseen = existing && !tracked ? closeUnseenRun(existing, launchTime) : undefined;
  return unseen && outcome.kind === 'update' ? { ...outcome, unseenEnd: unseen } : outcome;
}

function applyToRun(
  existing: InstanceRecord | undefined,
  tracked: InstanceRecord | undefined,
  change: StateChange,
  launchTime: string,
  policy: TagPolicy,
  opts: { now: Date; tombstoneTtlSeconds: number },
): LifecycleOutcome {
  const base = withFacts(
    tracked ?? newRun(existing, change.region, change.instanceId, launchTime),
    change.facts,
    policy,
  );
  const record: InstanceRecord = { ...base, state: change.state, stateChangedAt: change.at };

  if (isUp(change.state)) {
    // Up again within the same run: a stop that was requested did not happen.
    record.lastStop = undefined;
    record.nextNagAt = tracked?.nextNagAt ?? plannedNagAt(record).toISOString();
    return {
      kind: 'update',
      record,
      schedule: 'set',
      reason: tracked
        ? `run is ${change.state}`
        : `new run launched ${launchTime}; first nag at ${record.nextNagAt}`,
    };
  }

  record.nextNagAt = undefined;
  // A run's runtime ends when it stopped, even if termination is seen later; the first stop seen
  // (or requested through Lights Out) is kept on the record so every later reading agrees.
  const endedAt = tracked && isStopping(tracked.state) ? tracked.stateChangedAt : change.at;
  record.lastStop = tracked?.lastStop ?? {
    at: endedAt,
    runtimeSeconds: Math.max(0, Math.floor((Date.parse(endedAt) - Date.parse(launchTime)) / 1000)),
  };
  const runtimeSeconds = record.lastStop.runtimeSeconds;

  if (isTerminating(change.state)) {
    record.expiresAt = new Date(opts.now.getTime() + opts.tombstoneTtlSeconds * 1000).toISOString();
    const first = !tracked || !isTerminating(tracked.state);
    return {
      kind: 'update',
      record,
      schedule: 'cancel',
      event: first ? { type: 'instance.terminated', runtimeSeconds } : undefined,
      reason: `instance ${change.state}; tombstone kept until ${record.expiresAt}`,
    };
  }

  const first = !tracked || isUp(tracked.state);
  return {
    kind: 'update',
    record,
    schedule: 'cancel',
    event: first ? { type: 'instance.stopped', runtimeSeconds } : undefined,
    reason: `run ${change.state} after ${formatDuration(runtimeSeconds)}`,
  };
}

/**
 * The previous run of an instance whose next launch is being recorded, closed
 * if its end was never seen: still up on the record, or stopping through
 * Lights Out without EC2's confirmation. A stop requested through Lights Out
 * keeps its time and who asked; otherwise the run ended, as far as anyone
 * knows, when it was last known to be up (its last nag, or the state change
 * that made it running), never later than the next launch.
 */
export function closeUnseenRun(previous: InstanceRecord, nextLaunch: string): UnseenEnd | undefined {
  if (!isUp(previous.state) && previous.stopRequestedAt === undefined) return undefined;
  const launched = Date.parse(previous.launchTime);
  const { stopRequestedAt: _requested, stopRequestedBy: _by, nextNagAt: _next, ...rest } = previous;
  if (previous.lastStop) {
    const record: InstanceRecord = { ...rest, state: 'stopped', stateChangedAt: previous.lastStop.at };
    return { record, runtimeSeconds: previous.lastStop.runtimeSeconds, at: previous.lastStop.at };
  }
  const lastKnownUp = Math.max(
    Date.parse(previous.stateChangedAt),
    previous.lastNagAt ? Date.parse(previous.lastNagAt) : launched,
  );
  const end = Math.max(launched, Math.min(lastKnownUp, Date.parse(nextLaunch)));
  const at = new Date(end).toISOString();
  const runtimeSeconds = Math.floor((end - launched) / 1000);
  const record: InstanceRecord = {
    ...rest,
    state: 'stopped',
    stateChangedAt: at,
    lastStop: { at, runtimeSeconds, unobserved: true },
  };
  return { record, runtimeSeconds, at };
}

/** A blank record for a run we have not seen before; keeps the stored version for the conditional write. */
function newRun(
  previous: InstanceRecord | undefined,
  region: string,
  instanceId: string,
  launchTime: string,
): InstanceRecord {
  return {
    region,
    instanceId,
    launchTime,
    state: 'pending',
    stateChangedAt: launchTime,
    tags: previous?.tags ?? {},
    group: previous?.group ?? '',
    thresholdSeconds: 0,
    renotifySeconds: 0,
    extensionSeconds: 0,
    nagCount: 0,
    warnings: [],
    chatRefs: [],
    version: previous?.version ?? 0,
  };
}

/**
 * Copies live facts and the freshly read tag policy onto a record. Facts EC2
 * no longer reports (a terminated instance's IPs) keep their recorded value,
 * because cleanup after termination needs them.
 */
export function withFacts(
  record: InstanceRecord,
  facts: InstanceFacts | undefined,
  policy: TagPolicy,
): InstanceRecord {
  const tags = facts && Object.keys(facts.tags).length > 0 ? facts.tags : record.tags;
  return {
    ...record,
    tags,
    name: tags[TAG.name] ?? record.name,
    instanceType: facts?.instanceType ?? record.instanceType,
    availabilityZone: facts?.availabilityZone ?? record.availabilityZone,
    privateIp: facts?.privateIp ?? record.privateIp,
    publicIp: facts?.publicIp ?? record.publicIp,
    accountId: facts?.accountId ?? record.accountId,
    hibernationConfigured: facts?.hibernationConfigured ?? record.hibernationConfigured,
    group: policy.group,
    thresholdSeconds: policy.thresholdSeconds,
    renotifySeconds: policy.renotifySeconds,
    warnings: [...policy.warnings],
  };
}

/**
 * When the next nag is due by policy alone: threshold (plus extension) after
 * launch, then every renotify interval after the last nag, never before the
 * end of a snooze.
 */
export function plannedNagAt(
  record: Pick<
    InstanceRecord,
    'launchTime' | 'thresholdSeconds' | 'extensionSeconds' | 'renotifySeconds' | 'lastNagAt' | 'snoozedUntil'
  >,
): Date {
  const candidates = [
    Date.parse(record.launchTime) + (record.thresholdSeconds + record.extensionSeconds) * 1000,
  ];
  if (record.lastNagAt) candidates.push(Date.parse(record.lastNagAt) + record.renotifySeconds * 1000);
  if (record.snoozedUntil) candidates.push(Date.parse(record.snoozedUntil));
  return new Date(Math.max(...candidates));
}

/**
 * The record with `price` as this run's price: the same object when nothing
 * changes (so a caller can skip the write), without the field when unknown.
 */
export function withPrice(record: InstanceRecord, price: InstancePrice | undefined): InstanceRecord {
  if (record.price === price) return record;
  if (price) return { ...record, price };
  const { price: _unknown, ...rest } = record;
  return rest;
}
