/**
 * Keeps a run's consented stop in line with what happens to the run, where
 * the monitor applies state changes:
 * - the run stops or ends, or a new run replaces it: the consent is done
 *   with and its schedule is cancelled (automatic cancellation);
 * - a running run whose tags consent in advance (`AutoStop=at:19:00`) gets
 *   that consent once, with its schedule, unless someone cancelled it.
 * Only changes are written: a sweep that sees nothing new writes nothing.
 */
import type { DomainEvent } from '../../core/events.js';
import type { InstanceKey, InstanceRecord } from '../../core/instance.js';
import { isUp } from '../../core/runLifecycle.js';
import {
  DEFAULT_AUTOSTOP_TAG,
  decideStandingConsent,
  STOP_WARNING_SECONDS,
  warningTime,
} from '../../core/stopConsent.js';
import type { TagPolicy } from '../../core/tagPolicy.js';
import { isValidTimeZone } from '../../core/when.js';
import type { StopSchedule } from '../../ports/stopScheduler.js';
import type { MonitorDeps } from './context.js';
import { syncStopSchedule } from './stopScheduleSync.js';

export type ConsentScheduleChange =
  | { kind: 'cancel' }
  | { kind: 'schedule'; entry: StopSchedule }
  | undefined;

export interface ConsentUpkeep {
  record: InstanceRecord;
  schedule: ConsentScheduleChange;
  event?: DomainEvent;
  reason?: string;
}

/** The IANA zone of a group's clock times (`AutoStop=at:19:00`): its own, else the default, else UTC. */
export function groupTimeZone(settings: MonitorDeps['settings'], group: string): string {
  const zone = settings.groupTimeZones?.[group] ?? settings.stopTimeZone;
  return isValidTimeZone(zone) ? zone : 'UTC';
}

/**
 * `next` is the record about to be written for an observed state (`existing`
 * is what the store held). Returns it with the consent brought up to date,
 * and what to do to the stop schedule once it is written.
 */
export function upkeepConsent(
  existing: InstanceRecord | undefined,
  next: InstanceRecord,
  policy: TagPolicy,
  settings: MonitorDeps['settings'],
  now: Date,
): ConsentUpkeep {
  const replaced = existing !== undefined && Date.parse(existing.launchTime) !== Date.parse(next.launchTime);
  if (!isUp(next.state)) {
    if (!next.stopConsent && !(replaced && existing?.stopConsent))
      return { record: next, schedule: undefined };
    const { stopConsent: _done, ...rest } = next;
    return {
      record: rest,
      schedule: { kind: 'cancel' },
      reason: `run is ${next.state}: consented stop cancelled`,
    };
  }
  // A new run starts without its predecessor's consent (newRun builds a blank record).
  const cancelOld: ConsentScheduleChange = replaced && existing?.stopConsent ? { kind: 'cancel' } : undefined;
  const tag = settings.autoStopTag ?? DEFAULT_AUTOSTOP_TAG;
  const standing = policy.autoStop
    ? { spec: policy.autoStop, by: { source: 'tag' as const, detail: `${tag}=${next.tags[tag] ?? ''}` } }
    : undefined;
  const decision = decideStandingConsent(
    { ...next, state: 'running' },
    standing,
    now,
    groupTimeZone(settings, next.group),
  );
  if (decision.action === 'keep') {
    return {
      record: next,
      schedule: cancelOld,
      reason: cancelOld ? 'new run: old consented stop cancelled' : undefined,
    };
  }
  const record = { ...next, stopConsent: decision.consent };
  const consent = decision.consent;
  let schedule: ConsentScheduleChange = cancelOld;
  if (consent.kind === 'at') {
    const warnAt = warningTime(
      new Date(consent.at),
      now,
      settings.stopWarningSeconds ?? STOP_WARNING_SECONDS,
    );
    schedule = {
      kind: 'schedule',
      entry: {
        region: next.region,
        instanceId: next.instanceId,
        launchTime: next.launchTime,
        stopAt: consent.at,
        ...(warnAt ? { warnAt: warnAt.toISOString() } : {}),
      },
    };
  }
  return {
    record,
    schedule,
    event: { type: 'instance.stop-consent', record, change: 'scheduled', at: now.toISOString() },
    reason: decision.reason,
  };
}

/**
 * Carries out the schedule change after `written` was written (undefined: the
 * record was deleted), through the same sync as the consent service: a click
 * landing at the same time keeps its schedule, and whichever arranges last
 * leaves the one the record names.
 */
export async function applyConsentSchedule(
  deps: MonitorDeps,
  key: InstanceKey,
  change: ConsentScheduleChange,
  written: InstanceRecord | undefined,
): Promise<void> {
  if (!change || !deps.stopScheduler) return;
  await syncStopSchedule(
    {
      store: deps.store,
      scheduler: deps.stopScheduler,
      clock: deps.clock,
      warningSeconds: deps.settings.stopWarningSeconds,
      log: deps.log,
    },
    key,
    written,
  );
}
