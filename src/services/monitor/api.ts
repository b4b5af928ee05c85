/**
 * The monitoring engine's use cases as the rest of Lights Out sees them.
 * The chat layer (Slack, Teams) and the CLI code against this interface;
 * `MonitorService` in this folder implements it.
 */
import type { InstanceKey, InstanceRecord, RunActor, RunRef } from '../../core/instance.js';
import type { StopConsentRecord } from '../../core/stopConsent.js';
import type { NagSchedule } from '../../ports/nagScheduler.js';

// Part of this interface; defined in core so chat messages can carry it.
export type { RunRef };

/** An EC2 "Instance State-change Notification", reduced to what the engine needs. */
export interface StateChangeInput extends InstanceKey {
  state: string;
  /** Event time (ISO): orders duplicate and out-of-order events. */
  time: string;
}

export interface ReconcileReport {
  regions: string[];
  describeCalls: number;
  seen: number;
  created: string[];
  rescheduled: string[];
  removed: string[];
  /** Human-readable line per repair, for `lightsout check` and logs. */
  actions: string[];
}

/** What happened (or, in a dry run, would happen) to one due nag. */
export interface DueNagOutcome {
  /** `region/instanceId`. */
  instance: string;
  dueAt: string;
  action: 'nag' | 'reschedule' | 'drop' | 'retry' | 'observed';
  reason: string;
  nextCheckAt?: string;
}

/** Outcome of one state change in a batch; `error` set when it must be retried. */
export interface StateChangeResult {
  input: StateChangeInput;
  error?: unknown;
}

export interface MonitorApi {
  handleStateChange(input: StateChangeInput): Promise<void>;
  /**
   * Several state changes at once (an SQS batch): one DescribeInstances per
   * region for the whole batch instead of one per event. Never throws for one
   * bad item; each result says whether that item failed.
   */
  handleStateChanges(inputs: StateChangeInput[]): Promise<StateChangeResult[]>;
  /** A one-shot schedule fired (EventBridge Scheduler or the in-process scheduler). */
  handleNagDue(due: NagSchedule): Promise<void>;
  reconcile(opts?: { dryRun?: boolean }): Promise<ReconcileReport>;
  /**
   * Silences nags until `until`. Throws StaleRunError (code `stale`) when the
   * instance is no longer running this run, NotFoundError when unknown.
   */
  snooze(run: RunRef, until: Date, by: string): Promise<InstanceRecord>;
  /** Raises this run's threshold by `bySeconds` and moves the schedule. Same errors as snooze. */
  extend(run: RunRef, bySeconds: number, by: string): Promise<InstanceRecord>;
  /**
   * Called after a user-initiated StopInstances (see RunStopper): cancels the
   * schedule at once and records the run as `stopping`, with who stopped it and
   * the runtime then, so a sweep before EC2's event cannot re-arm it. A stop
   * that carries out a consent keeps it on `lastStop.consent`; either way the
   * run's consent and its stop schedule are done with.
   */
  stopRequested(
    run: RunRef,
    by: RunActor,
    opts?: { hibernated?: boolean; consent?: StopConsentRecord },
  ): Promise<InstanceRecord>;
  get(key: InstanceKey): Promise<InstanceRecord | undefined>;
  /** Processes every schedule due by now (`lightsout check`, catching up after downtime). */
  runDueNags(opts?: { dryRun?: boolean }): Promise<DueNagOutcome[]>;
}
