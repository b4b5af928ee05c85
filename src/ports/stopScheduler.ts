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
  schedule(entry: StopSchedule): Promise<void>;
  /** Idempotent: cancelling a missing schedule is not an error. */
  cancel(key: InstanceKey): Promise<void>;
  get(key: InstanceKey): Promise<StopSchedule | undefined>;
  list(): Promise<StopSchedule[]>;
}

/** What runs when a stop schedule fires (the consent service's `handleFiring`). */
export type StopFiringHandler = (firing: StopFiring) => Promise<void>;
