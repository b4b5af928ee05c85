import type { SpecLoad } from '../core/workloads/schedulerRows.js';

/**
 * Where workload specs come from: AWS_EC2_Scheduler's two DynamoDB tables in
 * Lambda mode, `workloads.yaml`/JSON for the single process and git. A load
 * returns the specs that passed validation and one line per problem.
 */
export interface WorkloadSpecSource {
  load(): Promise<SpecLoad>;
  /** Human-readable origin for messages, e.g. `./workloads.yaml`. */
  readonly origin: string;
}
