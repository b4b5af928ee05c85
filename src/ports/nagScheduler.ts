import type { InstanceKey } from '../core/instance.js';

/** One pending nag for one run of one instance. */
export interface NagSchedule extends InstanceKey {
  launchTime: string;
  /** ISO time at which the nag falls due. */
  dueAt: string;
}

/**
 * One one-shot schedule per instance. Implementations: EventBridge Scheduler
 * (`at()` schedules in group `lightsout`) and an in-process scheduler whose due
 * times are persisted. `schedule` upserts: an instance never has two.
 */
export interface NagScheduler {
  schedule(entry: NagSchedule): Promise<void>;
  /** Idempotent: cancelling a missing schedule is not an error. */
  cancel(key: InstanceKey): Promise<void>;
  get(key: InstanceKey): Promise<NagSchedule | undefined>;
  list(): Promise<NagSchedule[]>;
  /**
   * Optional cheap listing: which instances have a schedule, without due
   * times. Offered where `list` costs a read per schedule (EventBridge
   * Scheduler returns no inputs when listing); the reconciler prefers it.
   */
  listKeys?(): Promise<InstanceKey[]>;
}

/** What runs when a schedule fires (the nagDue use case). */
export type NagDueHandler = (due: NagSchedule) => Promise<void>;
