/**
 * The run history: one entry per ended run (start, stop, who or what stopped
 * it, the threshold in force, the hours beyond it and the price used), kept
 * after the instance record has moved on to a newer run or been forgotten.
 * The weekly digest and `lightsout report` are built from it.
 *
 * Entries are derived from the `instance.stopped` / `instance.terminated`
 * events, which the engine writes into the outbox with the record change:
 * recording them from there means a crash cannot lose one.
 */
import type { InstanceStoppedEvent, InstanceTerminatedEvent } from './events.js';
import { effectiveThresholdSeconds, type InstanceRecord, type RunActor } from './instance.js';
import { DEFAULT_OWNER_TAG } from './owner.js';
import type { StopConsentRecord } from './stopConsent.js';

/** The consent a stop carried out (RunStop.consent): who consented to stopping the run, and when. */
export type RunStopConsent = StopConsentRecord;

/**
 * What ended the run: someone through Lights Out (`actor`), a stop they
 * consented to in advance (`consented`), a termination, or a stop made
 * outside Lights Out (console, CLI, another tool, a shutdown inside the instance),
 * or a stop nobody saw (`unobserved`: the run was closed when the instance's
 * next launch was seen, at the last time it was known to be up).
 */
export type RunEndCause = 'actor' | 'consented' | 'terminated' | 'outside' | 'unobserved';

export interface RunHistoryEntry {
  region: string;
  instanceId: string;
  /** Start of the run (its LaunchTime, ISO). */
  launchTime: string;
  /** When the run stopped (requested through Lights Out, or first seen stopped), ISO. */
  stoppedAt: string;
  endedBy: RunEndCause;
  /** Who stopped it, when it was stopped through Lights Out. */
  actor?: RunActor;
  consent?: RunStopConsent;
  group: string;
  name?: string;
  /** The value of the owner tag, as tagged (an email, a Slack id, a UPN). */
  owner?: string;
  /** The threshold in force when it stopped: the tag's plus any extension. */
  thresholdSeconds: number;
  runtimeSeconds: number;
  /** Runtime past the threshold (0 when it stopped in time). */
  secondsBeyondThreshold: number;
  /** The hourly price used for its cost; null when unknown (never 0). */
  hourlyUsd: number | null;
}

/** The default retention of run history (RUN_HISTORY_RETENTION). */
export const DEFAULT_HISTORY_RETENTION_DAYS = 90;

/** `eu-west-1/i-0abc@2026-11-20T08:00:00.000Z`: one run, as stores key it. */
export const runKey = (e: Pick<RunHistoryEntry, 'region' | 'instanceId' | 'launchTime'>): string =>
  `${e.region}/${e.instanceId}@${new Date(e.launchTime).toISOString()}`;

/** What ended the run, from the event and the stop kept on the record. */
export function endCause(
  type: 'instance.stopped' | 'instance.terminated',
  record: InstanceRecord,
): RunEndCause {
  if (record.lastStop?.unobserved) return 'unobserved';
  if (record.lastStop?.consent) return 'consented';
  if (record.lastStop?.by) return 'actor';
  return type === 'instance.terminated' ? 'terminated' : 'outside';
}

/**
 * The history entry for the run an ending event closes.
 *
 * historyEntryOf({ type: 'instance.stopped', record, runtimeSeconds: 50400, at }, { ownerTag: 'Owner' })
 *   → { …, endedBy: 'actor', thresholdSeconds: 43200, secondsBeyondThreshold: 7200, hourlyUsd: 4.1 }
 */
export function historyEntryOf(
  event: InstanceStoppedEvent | InstanceTerminatedEvent,
  opts: { ownerTag?: string } = {},
): RunHistoryEntry {
  const { record } = event;
  const stoppedAt = record.lastStop?.at ?? event.at;
  const runtimeSeconds = record.lastStop?.runtimeSeconds ?? event.runtimeSeconds;
  const thresholdSeconds = effectiveThresholdSeconds(record);
  const owner = record.tags[opts.ownerTag ?? DEFAULT_OWNER_TAG]?.trim();
  const hourly = record.price?.hourlyUsd;
  return {
    region: record.region,
    instanceId: record.instanceId,
    launchTime: new Date(record.launchTime).toISOString(),
    stoppedAt: new Date(stoppedAt).toISOString(),
    endedBy: endCause(event.type, record),
    ...(record.lastStop?.by ? { actor: record.lastStop.by } : {}),
    ...(record.lastStop?.consent ? { consent: record.lastStop.consent } : {}),
    group: record.group,
    ...(record.name ? { name: record.name } : {}),
    ...(owner ? { owner } : {}),
    thresholdSeconds,
    runtimeSeconds,
    secondsBeyondThreshold: Math.max(0, runtimeSeconds - thresholdSeconds),
    hourlyUsd: typeof hourly === 'number' && Number.isFinite(hourly) && hourly >= 0 ? hourly : null,
  };
}
