/**
 * The EC2 side of one tier step: stops through RunStopper (claimed, recorded
 * and audited like any other stop, one StopInstances per 1,000 instances),
 * batched starts through the Fleet, and resizes. A batch EC2 rejects as a
 * whole (one instance in the wrong state fails the call for all) is retried
 * one instance at a time, so one bad instance fails alone and the rest still move.
 */
import { AwsRequestError, LightsOutError, NotFoundError } from '../../core/errors.js';
import type { RunActor } from '../../core/instance.js';
import type { InstanceProgress, TierProgress, WorkloadRun } from '../../core/workloads/run.js';
import type { WorkloadAction } from '../../core/workloads/spec.js';
import type { TierPlan } from '../../core/workloads/tierPlan.js';
import type { Fleet } from '../../ports/fleet.js';
import type { RunStopper } from '../monitor/stop.js';

export interface BatchOutcome {
  ok: string[];
  failed: Map<string, string>;
}

const isPerInstanceFailure = (err: unknown) => err instanceof AwsRequestError || err instanceof NotFoundError;

/** Who stops a workload's instances, as the audit log and the instances' nags name it. */
export function workloadActor(run: Pick<WorkloadRun, 'runId' | 'workload' | 'requestedBy'>): RunActor {
  return { platform: 'workload', id: run.runId, name: `workload ${run.workload} (${run.requestedBy})` };
}

/**
 * Stops a tier's pending instances in one batch through RunStopper. Being
 * stopped already by someone else counts as done; stop protection and other
 * refusals fail that instance alone. A failure that may have been applied
 * (throttling, 5xx) is rethrown so the step is retried, as a Fleet call's would be.
 */
export async function stopTier(
  stopper: Pick<RunStopper, 'stopMany'>,
  run: Pick<WorkloadRun, 'runId' | 'workload' | 'requestedBy' | 'region'>,
  instances: Pick<InstanceProgress, 'instanceId' | 'launchTime'>[],
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { ok: [], failed: new Map() };
  if (instances.length === 0) return outcome;
  const results = await stopper.stopMany(
    instances.map((i) => ({ region: run.region, instanceId: i.instanceId, launchTime: i.launchTime })),
    workloadActor(run),
  );
  const unknown = results.find((r) => r.status === 'unknown');
  if (unknown) throw unknown.error;
  for (const r of results) {
    if (r.status === 'stopping' || r.status === 'already') outcome.ok.push(r.run.instanceId);
    else outcome.failed.set(r.run.instanceId, r.reason);
  }
  return outcome;
}

/** One StopInstances/StartInstances per tier (the Fleet chunks by 1,000). */
export async function changeState(
  fleet: Fleet,
  region: string,
  action: WorkloadAction,
  ids: string[],
): Promise<BatchOutcome> {
  const call = (batch: string[]) =>
    action === 'stop' ? fleet.stop(region, batch) : fleet.start(region, batch);
  const outcome: BatchOutcome = { ok: [], failed: new Map() };
  if (ids.length === 0) return outcome;
  try {
    await call(ids);
    outcome.ok.push(...ids);
    return outcome;
  } catch (err) {
    if (!isPerInstanceFailure(err) || ids.length === 1) {
      if (ids.length === 1 && isPerInstanceFailure(err)) {
        outcome.failed.set(ids[0] ?? '', (err as LightsOutError).message);
        return outcome;
      }
      throw err;
    }
  }
  for (const id of ids) {
    try {
      await call([id]);
      outcome.ok.push(id);
    } catch (err) {
      if (!isPerInstanceFailure(err)) throw err;
      outcome.failed.set(id, err instanceof LightsOutError ? err.message : String(err));
    }
  }
  return outcome;
}

/** ModifyInstanceAttribute per instance (EC2 has no batch form); failures are per instance. */
export async function resize(
  fleet: Fleet,
  region: string,
  changes: { instanceId: string; instanceType: string }[],
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { ok: [], failed: new Map() };
  for (const c of changes) {
    try {
      await fleet.setInstanceType(region, c.instanceId, c.instanceType);
      outcome.ok.push(c.instanceId);
    } catch (err) {
      if (!isPerInstanceFailure(err)) throw err;
      outcome.failed.set(
        c.instanceId,
        `resize to ${c.instanceType} failed: ${(err as LightsOutError).message}`,
      );
    }
  }
  return outcome;
}

/** Tier progress from a fresh tier plan (the executor re-plans each tier at its turn). */
export function applyTierPlan(tier: TierProgress, plan: TierPlan): void {
  tier.delayAfterSeconds = plan.delayAfterSeconds;
  tier.instances = plan.instances.map((i) => ({
    instanceId: i.instanceId,
    name: i.name,
    launchTime: i.launchTime,
    status:
      i.step === 'act'
        ? 'pending'
        : i.step === 'bypass'
          ? 'bypassed'
          : i.step === 'unchanged'
            ? 'unchanged'
            : 'held',
    reason: i.reason,
    resizedTo: i.resizeTo,
  }));
}

/** Marks the instances of a failed batch or resize, with EC2's reason. */
export function markFailed(tier: TierProgress, failed: Map<string, string>): void {
  for (const i of tier.instances) {
    const why = failed.get(i.instanceId);
    if (why) {
      i.status = 'failed';
      i.reason = why;
    }
  }
}
