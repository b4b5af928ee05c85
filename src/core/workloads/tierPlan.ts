/**
 * The planner: spec + the instances EC2 reports now → an ordered plan. Pure:
 * override-file results come in as data (the executor asks SSM first), and
 * every instance and tier carries the reason for what will (not) happen.
 */
import type { InstanceState } from '../instance.js';
import {
  BYPASS_TAG,
  profileNames,
  type StopOverride,
  type TierSpec,
  tiersInOrder,
  type WorkloadAction,
  type WorkloadSpec,
} from './spec.js';

/** What the planner needs to know about an instance (a FleetInstance fits). */
export interface PlanInstance {
  instanceId: string;
  state: InstanceState;
  /** The run EC2 reported; a stop is claimed against this run's record. */
  launchTime?: string;
  instanceType?: string;
  vpcId?: string;
  tags: Record<string, string>;
}

export type OverrideStatus = 'present' | 'absent' | 'unreachable';

export interface OverrideResult {
  status: OverrideStatus;
  /** Why it is unreachable, e.g. `not managed by SSM`, `command timed out`. */
  detail?: string;
}

/**
 * act: stop or start it; bypass: skipped on purpose (tag or override file);
 * unchanged: already in the target state; hold: left alone because acting is unsafe.
 */
export type InstanceStep = 'act' | 'bypass' | 'unchanged' | 'hold';

export interface PlannedInstance {
  instanceId: string;
  name?: string;
  state: InstanceState;
  launchTime?: string;
  step: InstanceStep;
  reason: string;
  instanceType?: string;
  /** Start only: the profile's instance type, set while stopped, before the start. */
  resizeTo?: string;
}

export interface TierPlan {
  tier: string;
  sequence: number;
  synchronous: boolean;
  /** Seconds to wait after this tier before the next (none after the last). */
  delayAfterSeconds: number;
  /** Stop only: the guest file that bypasses an instance when present. */
  overrideCheck?: StopOverride;
  instances: PlannedInstance[];
  /** Set when nothing in this tier needs doing; says why. */
  noop?: string;
}

export interface WorkloadPlan {
  workload: string;
  region: string;
  action: WorkloadAction;
  profile?: string;
  tiers: TierPlan[];
  /** Set when the whole run is refused; says why and what to change. */
  refused?: string;
  /** Things worth telling the caller that do not stop the run. */
  warnings: string[];
}

export interface PlanOptions {
  profile?: string;
  /** Override-file results by instance id (stop only); missing = not checked yet. */
  overrides?: Map<string, OverrideResult>;
  /** Do not stop an instance SSM could not check (default true). */
  failSafe?: boolean;
}

const TARGET: Record<WorkloadAction, { done: InstanceState[]; from: InstanceState[]; word: string }> = {
  stop: { done: ['stopped', 'stopping'], from: ['running', 'pending'], word: 'stopped' },
  start: { done: ['running', 'pending'], from: ['stopped'], word: 'running' },
};

/** True when the instance belongs to the workload (workload tag, optional VPC). */
export function inWorkload(spec: WorkloadSpec, inst: PlanInstance): boolean {
  if (inst.tags[spec.workloadTag.key] !== spec.workloadTag.value) return false;
  return !spec.vpcId || inst.vpcId === spec.vpcId;
}

function planInstance(
  inst: PlanInstance,
  action: WorkloadAction,
  tier: TierSpec,
  opts: PlanOptions,
): PlannedInstance {
  const base = {
    instanceId: inst.instanceId,
    name: inst.tags.Name,
    state: inst.state,
    launchTime: inst.launchTime,
    instanceType: inst.instanceType,
  };
  const target = TARGET[action];
  if ((inst.tags[BYPASS_TAG] ?? '').trim().toLowerCase() === 'true') {
    return { ...base, step: 'bypass', reason: `${BYPASS_TAG}=true tag` };
  }
  const wanted =
    action === 'start' && opts.profile && Object.hasOwn(tier.scaling, opts.profile)
      ? tier.scaling[opts.profile]
      : undefined;
  if (target.done.includes(inst.state)) {
    const resizeNote =
      wanted && inst.instanceType && wanted !== inst.instanceType
        ? `; stays ${inst.instanceType} (profile "${opts.profile}" wants ${wanted}: stop it first to resize)`
        : '';
    return { ...base, step: 'unchanged', reason: `already ${inst.state}${resizeNote}` };
  }
  if (!target.from.includes(inst.state)) {
    return {
      ...base,
      step: 'hold',
      reason: `is ${inst.state}; cannot ${action} it now, run again once it settles`,
    };
  }
  if (action === 'stop' && tier.stop.override) {
    const file = tier.stop.override.filename;
    const check = opts.overrides?.get(inst.instanceId);
    if (check?.status === 'present')
      return { ...base, step: 'bypass', reason: `override file ${file} present` };
    if (check?.status === 'unreachable') {
      const why = check.detail ? ` (${check.detail})` : '';
      return opts.failSafe === false
        ? {
            ...base,
            step: 'act',
            reason: `SSM could not check ${file}${why}; stopping anyway (fail-safe off)`,
          }
        : { ...base, step: 'hold', reason: `SSM could not check ${file}${why}; not stopped (fail-safe)` };
    }
  }
  if (wanted && wanted !== inst.instanceType) {
    return {
      ...base,
      step: 'act',
      resizeTo: wanted,
      reason: `resize ${inst.instanceType ?? '?'} → ${wanted}, then start`,
    };
  }
  // AWS_EC2_Scheduler's rule: a tier without the chosen profile starts as it is.
  const asIs =
    action === 'start' && opts.profile && !wanted
      ? ` at its current size (tier has no "${opts.profile}" profile)`
      : '';
  return { ...base, step: 'act', reason: `${inst.state} → ${action === 'stop' ? 'stop' : 'start'}${asIs}` };
}

function noopReason(
  instances: PlannedInstance[],
  spec: WorkloadSpec,
  tier: string,
  action: WorkloadAction,
): string | undefined {
  if (instances.some((i) => i.step === 'act')) return undefined;
  if (instances.length === 0) {
    return `no instances tagged ${spec.workloadTag.key}=${spec.workloadTag.value} and ${spec.tierTagKey}=${tier}${spec.vpcId ? ` in ${spec.vpcId}` : ''}`;
  }
  const counts = new Map<string, number>();
  for (const i of instances) {
    const key =
      i.step === 'unchanged'
        ? `already ${TARGET[action].word}`
        : i.step === 'bypass'
          ? 'bypassed'
          : 'held back';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return `nothing to ${action}: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}

/** Plans one tier from its instances as they are now (the executor re-plans each tier at its turn). */
export function planTier(
  spec: WorkloadSpec,
  tier: TierSpec,
  action: WorkloadAction,
  instances: PlanInstance[],
  opts: PlanOptions = {},
  isLast = false,
): TierPlan {
  const mine = instances
    .filter((i) => inWorkload(spec, i) && i.tags[spec.tierTagKey] === tier.name)
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  const planned = mine.map((i) => planInstance(i, action, tier, opts));
  return {
    tier: tier.name,
    sequence: tier[action].sequence,
    synchronous: tier[action].synchronous,
    delayAfterSeconds: isLast ? 0 : tier[action].delaySeconds,
    overrideCheck: action === 'stop' ? tier.stop.override : undefined,
    instances: planned,
    noop: noopReason(planned, spec, tier.name, action),
  };
}

/** Why a run of this spec must not happen, or undefined when it may. */
export function refusal(spec: WorkloadSpec, action: WorkloadAction, profile?: string): string | undefined {
  if (spec.disabled) {
    return `DisableAllSchedulingActions is "1" for workload "${spec.name}": every start and stop is refused. Set it to "0" to allow runs.`;
  }
  // A profile no tier defines is not refused: as with AWS_EC2_Scheduler, such tiers
  // start without scaling, and the plan warns about each one.
  if (profile !== undefined && action !== 'start') {
    return `--profile applies to start only; ${action} "${spec.name}" without it`;
  }
  return undefined;
}

/** The whole ordered plan for a run, from the instances EC2 reports now. */
export function planWorkload(
  spec: WorkloadSpec,
  action: WorkloadAction,
  instances: PlanInstance[],
  opts: PlanOptions = {},
): WorkloadPlan {
  const ordered = tiersInOrder(spec, action);
  const plan: WorkloadPlan = {
    workload: spec.name,
    region: spec.region,
    action,
    profile: opts.profile,
    tiers: ordered.map((t, i) => planTier(spec, t, action, instances, opts, i === ordered.length - 1)),
    refused: refusal(spec, action, opts.profile),
    warnings: [],
  };
  const tierNames = new Set(spec.tiers.map((t) => t.name));
  for (const inst of instances.filter((i) => inWorkload(spec, i))) {
    const tierTag = inst.tags[spec.tierTagKey];
    if (tierTag === undefined || !tierNames.has(tierTag)) {
      plan.warnings.push(
        `${inst.instanceId} belongs to the workload but its ${spec.tierTagKey} tag (${tierTag === undefined ? 'missing' : `"${tierTag}"`}) names no tier; left alone`,
      );
    }
  }
  if (opts.profile && !plan.refused) {
    for (const name of tiersWithoutProfile(spec, action, opts.profile)) {
      plan.warnings.push(profileWarning(name, opts.profile));
    }
    const known = profileNames(spec);
    if (!known.includes(opts.profile)) {
      plan.warnings.push(
        `no tier defines profile "${opts.profile}" (${known.length ? `known profiles: ${known.join(', ')}` : 'the workload defines no scaling profiles'}); check the spelling if a resize was meant`,
      );
    }
  }
  return plan;
}

/** Start tiers (in order) that have no entry for the profile: they start at their current size. */
export function tiersWithoutProfile(spec: WorkloadSpec, action: WorkloadAction, profile?: string): string[] {
  if (action !== 'start' || !profile) return [];
  return tiersInOrder(spec, action)
    .filter((t) => !Object.hasOwn(t.scaling, profile))
    .map((t) => t.name);
}

export const profileWarning = (tier: string, profile: string): string =>
  `tier "${tier}" has no "${profile}" profile; it starts at its current size (no resize)`;
