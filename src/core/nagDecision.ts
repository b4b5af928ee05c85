/**
 * What to do when a nag schedule fires. Pure: the caller has already re-read
 * the instance and its tags and folded them into `record` (see `withFacts`).
 *
 *   evaluateNag(record, due, now) → { action: 'nag' | 'reschedule' | 'drop', nextCheckAt, reason }
 */
import { formatDuration } from './duration.js';
import { effectiveThresholdSeconds, type InstanceRecord, runtimeSeconds } from './instance.js';
import { isUp, plannedNagAt } from './runLifecycle.js';
import type { TagPolicy } from './tagPolicy.js';

export type NagAction = 'nag' | 'reschedule' | 'drop';

export interface NagDecision {
  action: NagAction;
  /** When to look again: the next nag for `nag`, the new due time for `reschedule`. */
  nextCheckAt?: Date;
  reason: string;
}

/** A schedule that fires up to this early still counts as due (clock skew, scheduler jitter). */
export const DUE_TOLERANCE_SECONDS = 60;

export function evaluateNag(
  record: InstanceRecord | undefined,
  policy: Pick<TagPolicy, 'monitored' | 'reason'>,
  due: { launchTime: string },
  now: Date,
): NagDecision {
  if (!record) return { action: 'drop', reason: 'no record of this instance' };
  if (!isUp(record.state)) return { action: 'drop', reason: `instance is ${record.state}` };
  if (Date.parse(record.launchTime) !== Date.parse(due.launchTime)) {
    return {
      action: 'drop',
      reason: `schedule belongs to the run launched ${due.launchTime}; current run launched ${record.launchTime}`,
    };
  }
  if (!policy.monitored) return { action: 'drop', reason: `no longer monitored: ${policy.reason}` };

  const planned = plannedNagAt(record);
  if (planned.getTime() > now.getTime() + DUE_TOLERANCE_SECONDS * 1000) {
    return { action: 'reschedule', nextCheckAt: planned, reason: notYetReason(record, planned, now) };
  }
  const runtime = runtimeSeconds(record, now);
  return {
    action: 'nag',
    nextCheckAt: new Date(now.getTime() + record.renotifySeconds * 1000),
    reason: `running ${formatDuration(runtime)}, over its ${formatDuration(effectiveThresholdSeconds(record))} threshold`,
  };
}

function notYetReason(record: InstanceRecord, planned: Date, now: Date): string {
  const at = planned.toISOString();
  if (record.snoozedUntil && Date.parse(record.snoozedUntil) > now.getTime()) {
    return `snoozed until ${record.snoozedUntil}`;
  }
  const end = Date.parse(record.launchTime) + effectiveThresholdSeconds(record) * 1000;
  if (end === planned.getTime()) {
    const extended = record.extensionSeconds
      ? ` (extended by ${formatDuration(record.extensionSeconds)})`
      : '';
    return `threshold ${formatDuration(effectiveThresholdSeconds(record))}${extended} not reached; next check at ${at}`;
  }
  return `last nag at ${record.lastNagAt}; next one due at ${at}`;
}
