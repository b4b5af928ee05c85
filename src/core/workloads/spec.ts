/**
 * A workload: a multi-tier system (web, app, db…) started and stopped tier by
 * tier. The model carries the same meaning as AWS_EC2_Scheduler's two
 * DynamoDB tables (WorkloadSpecification, TierSpecification) so its users can
 * move their rows across; values are typed here, parsing lives beside it.
 */

export type OverrideOs = 'Linux' | 'Windows';
export const OVERRIDE_OSES: readonly OverrideOs[] = ['Linux', 'Windows'];

export type WorkloadAction = 'start' | 'stop';

/** How one tier behaves in one direction (start or stop). */
export interface TierPhase {
  /** Zero-based place in this direction's order; start and stop orders are independent. */
  sequence: number;
  /** Wait until every instance reached the target state before the next tier. */
  synchronous: boolean;
  /** Seconds to wait after this tier before the next one. */
  delaySeconds: number;
}

/** A file inside the guest whose presence means "do not stop this instance". */
export interface StopOverride {
  filename: string;
  os: OverrideOs;
}

export interface TierSpec {
  /** Value of the workload's tier tag (e.g. `Role_Web` for `Role=Role_Web`). */
  name: string;
  start: TierPhase;
  stop: TierPhase & { override?: StopOverride };
  /** Scaling profile name → instance type, applied while stopped, before start. */
  scaling: Record<string, string>;
}

export interface WorkloadSpec {
  name: string;
  region: string;
  /** Instances belong to the workload when they carry this tag. */
  workloadTag: { key: string; value: string };
  /** Tag key whose value names the instance's tier. */
  tierTagKey: string;
  vpcId?: string;
  /** SNS topic (name) for per-tier and final status; falls back to config. */
  snsTopicName?: string;
  /** AWS_EC2_Scheduler's DisableAllSchedulingActions="1": every run is refused. */
  disabled: boolean;
  /** Seconds between a resize and the start of the resized tier. */
  scaleInstanceDelaySeconds: number;
  tiers: TierSpec[];
}

/** Tag that bypasses one instance whatever its tier says. */
export const BYPASS_TAG = 'LightsOutBypass';

/** Tiers in the order the action runs them. */
export function tiersInOrder(spec: WorkloadSpec, action: WorkloadAction): TierSpec[] {
  return [...spec.tiers].sort((a, b) => a[action].sequence - b[action].sequence);
}

/** Every profile name any tier defines, sorted. */
export function profileNames(spec: WorkloadSpec): string[] {
  return [...new Set(spec.tiers.flatMap((t) => Object.keys(t.scaling)))].sort();
}
