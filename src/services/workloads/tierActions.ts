/**
 * The EC2 side of one tier step: batched stop/start through the Fleet, and
 * resizes. A batch EC2 rejects as a whole (one instance in the wrong state
 * fails StopInstances for all) is retried one instance at a time, so one bad
 * instance fails alone and the rest still move.
 */
import { AwsRequestError, LightsOutError, NotFoundError } from '../../core/errors.js';
import type { TierProgress } from '../../core/workloads/run.js';
import type { WorkloadAction } from '../../core/workloads/spec.js';
import type { TierPlan } from '../../core/workloads/tierPlan.js';
import type { Fleet } from '../../ports/fleet.js';

export interface BatchOutcome {
  ok: string[];
  failed: Map<string, string>;
}

const isPerInstanceFailure = (err: unknown) => err instanceof AwsRequestError || err instanceof NotFoundError;

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
