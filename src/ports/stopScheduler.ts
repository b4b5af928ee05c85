import type { InstanceKey, RunRef } from '../core/instance.js';
import type { StopFiring } from '../core/stopConsent.js';

export type { StopFiring };

/** One consented stop of one run, with the warning that goes out before it. */
export interface StopSchedule extends RunRef {
  /** When the instance is stopped (ISO). */
  stopAt: string;
  /** When the "stopping soon" warning goes out (ISO); absent when the stop is too close to warn. */
  warnAt?: string;
}

/**
 * One-shot stop schedules, one per instance (`schedule` upserts: a moved stop
 * replaces the old one, warning included). Each schedule fires twice at most:
 * `warn` at `warnAt`, then `stop` at `stopAt`. Implementations: EventBridge
 * Scheduler `at()` schedules in the nag schedules' group, and the in-process
 * scheduler with its entries kept in SQLite, so a restart loses nothing.
 */
export interface StopScheduler {
  /**
   * Makes `entry`'s schedules, then removes the instance's others. Failing to
   * remove a superseded one is not an error: it fires into a record that no
   * longer names its time and does nothing; its name and why come back, to be
   * logged. `wanted` is read after the scheduler knows what it would remove,
   * and a schedule matching it is kept: a change someone else made meanwhile
   * keeps its schedule (see `WantedStop`).
   */
  schedule(entry: StopSchedule, wanted?: WantedStop): Promise<LeftSchedule[]>;
  /** Idempotent: cancelling a missing schedule is not an error. `wanted` as for `schedule`. */
  cancel(key: InstanceKey, wanted?: WantedStop): Promise<void>;
  get(key: InstanceKey): Promise<StopSchedule | undefined>;
  list(): Promise<StopSchedule[]>;
}

/**
 * The stop the instance's record calls for right now (re-read on each call),
 * or undefined for none. Schedulers that delete superseded schedules in a
 * separate step from making the new one (EventBridge) list first and read this
 * second, so a schedule made for a change that landed meanwhile is never taken
 * for a superseded one. Those that replace the instance's one entry in a single
 * write may ignore it: the consent service re-reads the record after each
 * change and arranges again when it moved (src/services/monitor/stopScheduleSync.ts).
 */
export type WantedStop = () => Promise<StopSchedule | undefined>;

/** A superseded schedule `schedule` could not delete, and why. */
export interface LeftSchedule {
  name: string;
  error: string;
}

/** What runs when a stop schedule fires (the consent service's `handleFiring`). */
export type StopFiringHandler = (firing: StopFiring) => Promise<void>;
