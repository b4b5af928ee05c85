import type { StopOverride } from '../core/workloads/spec.js';
import type { OverrideResult } from '../core/workloads/tierPlan.js';

/**
 * Asks each instance's guest whether a stop-override file exists (SSM Run
 * Command in AWS). Every id gets an answer: present, absent, or unreachable
 * with the reason; it never throws for a single instance's failure.
 */
export interface OverrideChecker {
  check(region: string, instanceIds: string[], override: StopOverride): Promise<Map<string, OverrideResult>>;
}
