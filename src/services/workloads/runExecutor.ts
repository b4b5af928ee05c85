/**
 * The workload run step machine. Each call to `advance` executes the run's
 * next step, saves the run (version-checked), and either chains straight into
 * the following step when it is already due or hands it to the step
 * scheduler. Nothing here sleeps through a delay: inter-tier delays,
 * ScaleInstanceDelay and synchronous-tier polls are all scheduled steps, so a
 * crash resumes from the last saved step and Lambda never idles.
 */
import { formatDuration } from '../../core/duration.js';
import { ConflictError, TransientError } from '../../core/errors.js';
import type { InstanceState } from '../../core/instance.js';
import {
  isFinished,
  type NextStep,
  type StepKind,
  type TierProgress,
  type WorkloadRun,
} from '../../core/workloads/run.js';
import { summaryLine } from '../../core/workloads/runText.js';
import { planTier } from '../../core/workloads/tierPlan.js';
import type { Log } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet, FleetQuery } from '../../ports/fleet.js';
import type { OverrideChecker } from '../../ports/overrideChecker.js';
import type { WorkloadRunStore } from '../../ports/workloadRunStore.js';
import type { WorkloadStatusKind, WorkloadStatusPublisher } from '../../ports/workloadStatus.js';
import type { WorkloadStepDue, WorkloadStepScheduler } from '../../ports/workloadStepScheduler.js';
import type { RunStopper } from '../monitor/stop.js';
import { applyTierPlan, changeState, markFailed, resize, stopTier } from './tierActions.js';

export interface RunExecutorOptions {
  /** Do not stop instances SSM could not check (the default). */
  failSafe: boolean;
  /** How long a synchronous tier waits before naming its stragglers. */
  syncTimeoutSeconds: number;
  /** Seconds between waiter polls. */
  pollSeconds: number;
}

export interface RunExecutorDeps {
  fleet: Fleet;
  /** Stops go through the one stop operation: claimed, recorded against the instances' runs, audited. */
  stopper: Pick<RunStopper, 'stopMany'>;
  overrides: OverrideChecker;
  runs: WorkloadRunStore;
  scheduler: WorkloadStepScheduler;
  status: WorkloadStatusPublisher;
  clock: Clock;
  log?: Log;
}

const REACHED: Record<WorkloadRun['action'], InstanceState> = { stop: 'stopped', start: 'running' };
const LIVE: InstanceState[] = ['pending', 'running', 'stopping', 'stopped'];

type Events = { kind: WorkloadStatusKind; tierIndex?: number }[];

export class RunExecutor {
  constructor(
    private readonly deps: RunExecutorDeps,
    private readonly opts: RunExecutorOptions,
  ) {}

  /**
   * Runs the step `due` names and every following step that is already due.
   * A stale or duplicate trigger (older seq, finished run) does nothing but
   * make sure the real next step is scheduled.
   */
  async advance(due: Pick<WorkloadStepDue, 'runId' | 'seq'>): Promise<WorkloadRun | undefined> {
    let run = await this.deps.runs.get(due.runId);
    if (!run || isFinished(run) || !run.next) return run;
    if (run.next.seq !== due.seq) {
      await this.schedule(run);
      return run;
    }
    while (run.next && !isFinished(run)) {
      const now = this.deps.clock();
      if (Date.parse(run.next.dueAt) > now.getTime()) {
        await this.schedule(run);
        return run;
      }
      const events: Events = [];
      const working: WorkloadRun = structuredClone(run);
      await this.execute(working, run.next, events);
      working.updatedAt = this.deps.clock().toISOString();
      const saved = await this.save(working, run.next.seq);
      if (!saved) return this.deps.runs.get(due.runId);
      run = saved;
      for (const e of events) await this.publish(run, e.kind, e.tierIndex);
    }
    return run;
  }

  /**
   * Saves a step's result. If the run changed meanwhile, either another
   * invocation executed this step (undefined: its result stands) or only
   * chat refs were added (chat attaching its progress message): those are
   * merged in and the save retried, so the step's work is never lost.
   */
  private async save(working: WorkloadRun, seq: number): Promise<WorkloadRun | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.deps.runs.save(working);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        const fresh = await this.deps.runs.get(working.runId);
        if (!fresh || isFinished(fresh) || fresh.next?.seq !== seq) return undefined;
        const known = new Set(working.chatRefs.map((r) => `${r.platform}/${r.channelId}/${r.messageId}`));
        working.chatRefs.push(
          ...fresh.chatRefs.filter((r) => !known.has(`${r.platform}/${r.channelId}/${r.messageId}`)),
        );
        working.version = fresh.version;
      }
    }
    return undefined;
  }

  private async schedule(run: WorkloadRun): Promise<void> {
    if (run.next)
      await this.deps.scheduler.schedule({ runId: run.runId, seq: run.next.seq, dueAt: run.next.dueAt });
  }

  private async publish(run: WorkloadRun, kind: WorkloadStatusKind, tierIndex?: number): Promise<void> {
    try {
      await this.deps.status.publish(run, kind, tierIndex);
    } catch (err) {
      // Status is a side channel: a failed publish must not undo or repeat a stop.
      this.deps.log?.warn('workload status publish failed', { runId: run.runId, error: String(err) });
    }
  }

  private setNext(run: WorkloadRun, kind: StepKind, tierIndex: number, afterSeconds: number): void {
    const at = new Date(this.deps.clock().getTime() + afterSeconds * 1000).toISOString();
    run.next = { kind, tierIndex, dueAt: at, seq: (run.next?.seq ?? 0) + 1 };
  }

  private async execute(run: WorkloadRun, step: NextStep, events: Events): Promise<void> {
    const tier = run.tiers[step.tierIndex];
    if (!tier) return this.finish(run, events);
    try {
      if (step.kind === 'tier') await this.beginTier(run, step.tierIndex, events);
      else if (step.kind === 'launch') await this.launch(run, step.tierIndex, events);
      else await this.poll(run, step.tierIndex, events);
    } catch (err) {
      // Retrying fixes throttling and 5xx: leave the step as it was and let the trigger retry.
      if (err instanceof TransientError) throw err;
      tier.status = 'failed';
      tier.note = `${err instanceof Error ? err.message : String(err)}`;
      tier.finishedAt = this.deps.clock().toISOString();
      events.push({ kind: 'tier', tierIndex: step.tierIndex });
      this.finish(run, events, tier.tier);
    }
  }

  private async beginTier(run: WorkloadRun, index: number, events: Events): Promise<void> {
    const tier = run.tiers[index] as TierProgress;
    const spec = run.spec;
    const tierSpec = spec.tiers.find((t) => t.name === tier.tier);
    if (!tierSpec) throw new Error(`tier "${tier.tier}" is missing from the run's spec`);
    const query: FleetQuery = {
      tags: { [spec.workloadTag.key]: [spec.workloadTag.value], [spec.tierTagKey]: [tier.tier] },
      vpcId: spec.vpcId,
      states: LIVE,
    };
    const instances = await this.deps.fleet.find(spec.region, query);
    const isLast = index === run.tiers.length - 1;
    let plan = planTier(
      spec,
      tierSpec,
      run.action,
      instances,
      { profile: run.profile, failSafe: this.opts.failSafe },
      isLast,
    );
    if (run.action === 'stop' && tierSpec.stop.override) {
      const toCheck = plan.instances.filter((i) => i.step === 'act').map((i) => i.instanceId);
      if (toCheck.length) {
        const overrides = await this.deps.overrides.check(spec.region, toCheck, tierSpec.stop.override);
        plan = planTier(
          spec,
          tierSpec,
          run.action,
          instances,
          { profile: run.profile, failSafe: this.opts.failSafe, overrides },
          isLast,
        );
      }
    }
    applyTierPlan(tier, plan);
    tier.startedAt = this.deps.clock().toISOString();
    for (const held of tier.instances.filter((i) => i.status === 'held')) {
      run.warnings.push(
        `${held.instanceId}${held.name ? ` (${held.name})` : ''} in tier ${tier.tier}: ${held.reason}`,
      );
    }
    if (plan.noop) {
      tier.status = 'noop';
      tier.note = plan.noop;
      return this.finishTier(run, index, events);
    }
    tier.status = 'in-progress';
    const resizes = plan.instances.filter((i) => i.step === 'act' && i.resizeTo);
    if (run.action === 'start' && resizes.length) {
      const result = await resize(
        this.deps.fleet,
        spec.region,
        resizes.map((i) => ({ instanceId: i.instanceId, instanceType: i.resizeTo ?? '' })),
      );
      markFailed(tier, result.failed);
      if (spec.scaleInstanceDelaySeconds > 0) {
        tier.note = `resized ${result.ok.length}; starting after ${formatDuration(spec.scaleInstanceDelaySeconds)} (ScaleInstanceDelay)`;
        events.push({ kind: 'tier', tierIndex: index });
        return this.setNext(run, 'launch', index, spec.scaleInstanceDelaySeconds);
      }
    }
    await this.launch(run, index, events);
  }

  /** The tier's one batched stop/start; then wait (synchronous) or move on. */
  private async launch(run: WorkloadRun, index: number, events: Events): Promise<void> {
    const tier = run.tiers[index] as TierProgress;
    tier.note = undefined;
    const pending = tier.instances.filter((i) => i.status === 'pending');
    const result =
      run.action === 'stop'
        ? await stopTier(this.deps.stopper, run, pending)
        : await changeState(
            this.deps.fleet,
            run.region,
            run.action,
            pending.map((i) => i.instanceId),
          );
    markFailed(tier, result.failed);
    const ok = new Set(result.ok);
    for (const i of tier.instances) if (ok.has(i.instanceId)) i.status = 'acting';
    if (tier.synchronous && ok.size) {
      tier.status = 'waiting';
      tier.waitUntil = new Date(
        this.deps.clock().getTime() + this.opts.syncTimeoutSeconds * 1000,
      ).toISOString();
      events.push({ kind: 'tier', tierIndex: index });
      return this.setNext(run, 'wait', index, this.opts.pollSeconds);
    }
    // Asynchronous tier: the request is what counts; EC2 finishes on its own.
    for (const i of tier.instances) {
      if (i.status === 'acting') {
        i.status = 'done';
        i.reason = `${run.action} requested`;
      }
    }
    this.finishTier(run, index, events);
  }

  private async poll(run: WorkloadRun, index: number, events: Events): Promise<void> {
    const tier = run.tiers[index] as TierProgress;
    const acting = tier.instances.filter((i) => i.status === 'acting');
    const seen = await this.deps.fleet.find(run.region, { instanceIds: acting.map((i) => i.instanceId) });
    const state = new Map(seen.map((s) => [s.instanceId, s.state]));
    for (const i of acting) {
      if (state.get(i.instanceId) === REACHED[run.action]) {
        i.status = 'done';
        i.reason = REACHED[run.action];
      } else if (!state.has(i.instanceId) || state.get(i.instanceId) === 'terminated') {
        i.status = 'failed';
        i.reason = 'disappeared while waiting (terminated?)';
      }
    }
    const stragglers = tier.instances.filter((i) => i.status === 'acting');
    if (stragglers.length === 0) {
      tier.note = undefined;
      return this.finishTier(run, index, events);
    }
    const now = this.deps.clock();
    if (tier.waitUntil && now.getTime() >= Date.parse(tier.waitUntil)) {
      for (const i of stragglers) {
        i.status = 'failed';
        i.reason = `still ${state.get(i.instanceId) ?? 'unknown'} after ${formatDuration(this.opts.syncTimeoutSeconds)}`;
      }
      tier.status = 'failed';
      tier.note = `timed out after ${formatDuration(this.opts.syncTimeoutSeconds)} waiting for ${stragglers
        .map((i) => `${i.instanceId} (${state.get(i.instanceId) ?? 'unknown'})`)
        .join(', ')}; later tiers were not run`;
      tier.finishedAt = now.toISOString();
      events.push({ kind: 'tier', tierIndex: index });
      return this.finish(run, events, tier.tier);
    }
    const moved = tier.instances.filter((i) => i.status === 'acting' || i.status === 'done').length;
    tier.note = `waiting for ${stragglers.length} of ${moved}`;
    this.setNext(run, 'wait', index, this.opts.pollSeconds);
  }

  private finishTier(run: WorkloadRun, index: number, events: Events): void {
    const tier = run.tiers[index] as TierProgress;
    if (tier.status !== 'noop')
      tier.status = tier.instances.some((i) => i.status === 'failed') ? 'failed' : 'done';
    tier.finishedAt = this.deps.clock().toISOString();
    events.push({ kind: 'tier', tierIndex: index });
    if (index >= run.tiers.length - 1) this.finish(run, events);
    else this.setNext(run, 'tier', index + 1, tier.delayAfterSeconds);
  }

  /** Ends the run; `haltedBy` names the tier whose failure stopped the later ones. */
  private finish(run: WorkloadRun, events: Events, haltedBy?: string): void {
    const all = run.tiers.flatMap((t) => t.instances);
    const troubled =
      run.tiers.some((t) => t.status === 'failed') ||
      all.some((i) => i.status === 'held' || i.status === 'failed');
    run.status = haltedBy ? 'failed' : troubled ? 'partial' : 'succeeded';
    if (haltedBy) {
      for (const t of run.tiers) if (t.status === 'pending') t.note = `not run: tier ${haltedBy} failed`;
    }
    run.next = undefined;
    run.finishedAt = this.deps.clock().toISOString();
    run.summary = summaryLine(run);
    events.push({ kind: 'final' });
  }
}
