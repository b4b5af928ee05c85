/** One pending step of one workload run. */
export interface WorkloadStepDue {
  runId: string;
  /** The run's step counter when scheduled; a stale trigger is ignored by the executor. */
  seq: number;
  /** ISO time. */
  dueAt: string;
}

/**
 * Wakes a workload run when its next step falls due, so no process idles
 * through a delay or a waiter poll. Implementations: one-shot EventBridge
 * Scheduler schedules (Lambda) and an in-process timer (single process).
 * A run has at most one pending step: scheduling replaces the previous one.
 */
export interface WorkloadStepScheduler {
  schedule(step: WorkloadStepDue): Promise<void>;
  /** Idempotent. */
  cancel(runId: string): Promise<void>;
}

export type WorkloadStepHandler = (step: WorkloadStepDue) => Promise<void>;
