import type { WorkloadRun } from '../core/workloads/run.js';

/**
 * Durable workload runs plus one active-run lock per workload. Implementations:
 * DynamoDB (Lambda) and SQLite (single process); one contract suite runs over both.
 */
export interface WorkloadRunStore {
  /**
   * Stores a new run (version 0 → 1) and takes its workload's lock in one
   * atomic write. Throws WorkloadBusyError naming who holds the lock when
   * another run on that workload is still active; a lock left by a finished
   * run is taken over.
   */
  create(run: WorkloadRun): Promise<WorkloadRun>;
  get(runId: string): Promise<WorkloadRun | undefined>;
  /**
   * Replaces the run if the stored version equals `run.version` (else
   * ConflictError: another invocation got there first) and returns it with the
   * version bumped. A finished run releases its workload's lock in the same write.
   */
  save(run: WorkloadRun): Promise<WorkloadRun>;
  /** Newest first, optionally for one workload. */
  recent(limit: number, workload?: string): Promise<WorkloadRun[]>;
  /** Runs still holding their workload's lock (for resuming after a restart). */
  active(): Promise<WorkloadRun[]>;
}
