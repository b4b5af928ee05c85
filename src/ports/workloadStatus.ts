import type { WorkloadRun } from '../core/workloads/run.js';

export type WorkloadStatusKind = 'tier' | 'final';

/**
 * Per-tier and final status of a run: SNS for AWS_EC2_Scheduler's subscribers,
 * and listeners such as the chat progress message.
 */
export interface WorkloadStatusPublisher {
  publish(run: WorkloadRun, kind: WorkloadStatusKind, tierIndex?: number): Promise<void>;
}
