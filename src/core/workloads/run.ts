/**
 * A workload run as stored: the plan, where each tier and instance stands,
 * who asked, and the one step that comes next. Executing a step rewrites the
 * record (versioned), so a crash resumes from the last completed step.
 */
import { LightsOutError } from '../errors.js';
import type { ChatMessageRef } from '../instance.js';
import { formatDayTimeUtc } from '../when.js';
import type { WorkloadAction, WorkloadSpec } from './spec.js';
import type { InstanceStep, TierPlan, WorkloadPlan } from './tierPlan.js';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export type TierStatus = 'pending' | 'in-progress' | 'waiting' | 'done' | 'noop' | 'failed';

/** pending → acting → done; or bypassed/unchanged/held/failed with a reason. */
export type InstanceStatus = 'pending' | 'acting' | 'done' | 'bypassed' | 'unchanged' | 'held' | 'failed';

export interface InstanceProgress {
  instanceId: string;
  name?: string;
  /** The run EC2 reported when the tier was planned (absent in runs saved before it was kept). */
  launchTime?: string;
  status: InstanceStatus;
  reason?: string;
  resizedTo?: string;
}

export interface TierProgress {
  tier: string;
  sequence: number;
  synchronous: boolean;
  delayAfterSeconds: number;
  status: TierStatus;
  instances: InstanceProgress[];
  /** Why the tier is a no-op, failed, or what it is waiting for. */
  note?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Synchronous tier: when waiting gives up and names the stragglers. */
  waitUntil?: string;
}

/**
 * tier: plan the tier afresh, check override files, resize or stop/start;
 * launch: start a tier whose instances were resized (after ScaleInstanceDelay);
 * wait: poll a synchronous tier until its instances reach the target state.
 */
export type StepKind = 'tier' | 'launch' | 'wait';

export interface NextStep {
  kind: StepKind;
  tierIndex: number;
  /** ISO time the step falls due. */
  dueAt: string;
  /** Increases with every step; a duplicate or stale trigger carries an old one and is ignored. */
  seq: number;
}

export interface WorkloadRun {
  runId: string;
  workload: string;
  region: string;
  action: WorkloadAction;
  profile?: string;
  /** e.g. `cli:alice`, `slack:U123`. */
  requestedBy: string;
  requestedAt: string;
  status: RunStatus;
  tiers: TierProgress[];
  next?: NextStep;
  warnings: string[];
  /** One line on how it ended. */
  summary?: string;
  finishedAt?: string;
  updatedAt: string;
  /** Where a chat progress message lives, so any runtime can keep it updated. */
  chatRefs: ChatMessageRef[];
  /** The spec as it was when the run started; later edits do not change a run in flight. */
  spec: WorkloadSpec;
  version: number;
}

export const isFinished = (run: Pick<WorkloadRun, 'status'>): boolean => run.status !== 'running';

/** Sortable, unique, readable: `20261121T044100Z-k3j9`. */
export function newRunId(now: Date, random: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}

const INITIAL: Record<InstanceStep, InstanceStatus> = {
  act: 'pending',
  bypass: 'bypassed',
  unchanged: 'unchanged',
  hold: 'held',
};

/** The tier progress a plan starts from. */
export function tierProgressFromPlan(tier: TierPlan): TierProgress {
  return {
    tier: tier.tier,
    sequence: tier.sequence,
    synchronous: tier.synchronous,
    delayAfterSeconds: tier.delayAfterSeconds,
    status: 'pending',
    instances: tier.instances.map((i) => ({
      instanceId: i.instanceId,
      name: i.name,
      status: INITIAL[i.step],
      reason: i.reason,
      resizedTo: i.resizeTo,
    })),
  };
}

export function newRun(
  plan: WorkloadPlan,
  spec: WorkloadSpec,
  ids: { runId: string; requestedBy: string; now: Date },
): WorkloadRun {
  const at = ids.now.toISOString();
  return {
    runId: ids.runId,
    workload: plan.workload,
    region: plan.region,
    action: plan.action,
    profile: plan.profile,
    requestedBy: ids.requestedBy,
    requestedAt: at,
    status: 'running',
    tiers: plan.tiers.map(tierProgressFromPlan),
    next: plan.tiers.length ? { kind: 'tier', tierIndex: 0, dueAt: at, seq: 1 } : undefined,
    warnings: [...plan.warnings],
    updatedAt: at,
    chatRefs: [],
    spec,
    version: 0,
  };
}

/** A second run on a workload while one is active; names who started the first. */
export class WorkloadBusyError extends LightsOutError {
  constructor(
    readonly active: Pick<WorkloadRun, 'runId' | 'workload' | 'requestedBy' | 'requestedAt' | 'action'>,
    options?: { cause?: unknown },
  ) {
    super(
      'workload_busy',
      `workload "${active.workload}" already has an active ${active.action} run (${active.runId}) started by ${active.requestedBy} at ${formatDayTimeUtc(new Date(active.requestedAt))}; wait for it to finish (lightsout workload runs)`,
      options,
    );
  }
}

/** The spec forbids this run (DisableAllSchedulingActions, a profile on stop); the message says why. */
export class WorkloadRefusedError extends LightsOutError {
  constructor(message: string) {
    super('workload_refused', message);
  }
}
