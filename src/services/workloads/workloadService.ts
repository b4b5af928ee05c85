/**
 * Workload use cases as the CLI, chat and Lambda handlers see them: list and
 * show specs, preview a plan (dry run), begin a run, follow runs. Execution
 * itself is the RunExecutor's, driven by the step scheduler.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { ChatMessageRef, InstanceState } from '../../core/instance.js';
import { newRun, newRunId, WorkloadRefusedError, type WorkloadRun } from '../../core/workloads/run.js';
import type { WorkloadAction, WorkloadSpec } from '../../core/workloads/spec.js';
import { planWorkload, type WorkloadPlan } from '../../core/workloads/tierPlan.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet, FleetInstance } from '../../ports/fleet.js';
import type { WorkloadRunStore } from '../../ports/workloadRunStore.js';
import type { WorkloadSpecSource } from '../../ports/workloadSpecSource.js';
import type { WorkloadStepDue, WorkloadStepScheduler } from '../../ports/workloadStepScheduler.js';
import type { RunExecutor } from './runExecutor.js';

export interface WorkloadServiceDeps {
  specs: WorkloadSpecSource;
  fleet: Fleet;
  runs: WorkloadRunStore;
  scheduler: WorkloadStepScheduler;
  executor: RunExecutor;
  clock: Clock;
  failSafe: boolean;
  /** Random suffix for run ids; tests pass a counter. */
  random?: () => string;
}

export interface BeginOptions {
  profile?: string;
  /** e.g. `cli:alice`, `slack:U123`. */
  requestedBy: string;
  chatRef?: ChatMessageRef;
}

const LIVE: InstanceState[] = ['pending', 'running', 'stopping', 'stopped'];

export class WorkloadService {
  constructor(private readonly deps: WorkloadServiceDeps) {}

  /** Every valid spec, plus one line per problem in the source. */
  async list(): Promise<{ specs: WorkloadSpec[]; problems: string[]; origin: string }> {
    const load = await this.deps.specs.load();
    return { ...load, origin: this.deps.specs.origin };
  }

  /** The named spec; NotFoundError names the known ones, or the spec's problems. */
  async spec(name: string): Promise<WorkloadSpec> {
    const { specs, problems } = await this.deps.specs.load();
    const spec = specs.find((s) => s.name === name);
    if (spec) return spec;
    // A file source prefixes each problem with its path, so match the workload label anywhere.
    const label = `workload "${name}"`;
    const own = problems.filter((p) => p.startsWith(label) || p.includes(`: ${label}`));
    if (own.length)
      throw new NotFoundError(
        `${label} cannot be used until its spec is fixed:\n${own.map((p) => `  - ${p}`).join('\n')}`,
      );
    const known = specs.map((s) => s.name);
    // With nothing loadable, the source's own problems (missing file, bad YAML) are the real answer.
    const why = !known.length && problems.length ? `:\n${problems.map((p) => `  - ${p}`).join('\n')}` : '';
    throw new NotFoundError(
      `no workload named "${name}" in ${this.deps.specs.origin}; ${known.length ? `known: ${known.join(', ')}` : 'none are defined'}${why}`,
    );
  }

  /** The workload's instances as EC2 reports them now. */
  async instances(spec: WorkloadSpec): Promise<FleetInstance[]> {
    return this.deps.fleet.find(spec.region, {
      tags: { [spec.workloadTag.key]: [spec.workloadTag.value] },
      vpcId: spec.vpcId,
      states: LIVE,
    });
  }

  /** The plan a run would follow now; changes nothing (`--dry-run`). */
  async plan(name: string, action: WorkloadAction, profile?: string): Promise<WorkloadPlan> {
    const spec = await this.spec(name);
    return planWorkload(spec, action, await this.instances(spec), { profile, failSafe: this.deps.failSafe });
  }

  /**
   * Stores a new run and schedules its first step for now; returns at once so
   * chat can acknowledge within its deadline. Throws WorkloadRefusedError,
   * WorkloadBusyError (naming who started the active run) or NotFoundError.
   */
  async begin(name: string, action: WorkloadAction, opts: BeginOptions): Promise<WorkloadRun> {
    const spec = await this.spec(name);
    const plan = planWorkload(spec, action, await this.instances(spec), {
      profile: opts.profile,
      failSafe: this.deps.failSafe,
    });
    if (plan.refused) throw new WorkloadRefusedError(plan.refused);
    const now = this.deps.clock();
    const random = this.deps.random?.() ?? randomBytes(3).toString('hex');
    const run = newRun(plan, spec, { runId: newRunId(now, random), requestedBy: opts.requestedBy, now });
    if (opts.chatRef) run.chatRefs.push(opts.chatRef);
    const stored = await this.deps.runs.create(run);
    if (!stored.next) return stored;
    try {
      await this.deps.scheduler.schedule({
        runId: stored.runId,
        seq: stored.next.seq,
        dueAt: stored.next.dueAt,
      });
    } catch (err) {
      // Nothing ran yet: end the run so its lock does not block the next attempt.
      const at = this.deps.clock().toISOString();
      const reason = `could not schedule the first step: ${err instanceof Error ? err.message : String(err)}`;
      await this.deps.runs.save({
        ...stored,
        status: 'failed',
        next: undefined,
        finishedAt: at,
        updatedAt: at,
        summary: `failed: ${reason}`,
      });
      throw err;
    }
    return stored;
  }

  /** A step fell due (EventBridge Scheduler or the in-process scheduler). */
  async handleStep(due: Pick<WorkloadStepDue, 'runId' | 'seq'>): Promise<WorkloadRun | undefined> {
    return this.deps.executor.advance(due);
  }

  /** After a restart: put every active run's next step back on the scheduler. */
  async resume(): Promise<WorkloadRun[]> {
    const active = await this.deps.runs.active();
    for (const run of active) {
      if (run.next)
        await this.deps.scheduler.schedule({ runId: run.runId, seq: run.next.seq, dueAt: run.next.dueAt });
    }
    return active;
  }

  /**
   * Records where chat posted the run's progress message and returns the run
   * as it is now. Retries on a version conflict: the executor may be saving
   * the same run concurrently.
   */
  async attachChatRef(runId: string, ref: ChatMessageRef): Promise<WorkloadRun> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const run = await this.run(runId);
      if (run.chatRefs.some((r) => r.platform === ref.platform && r.messageId === ref.messageId)) return run;
      try {
        return await this.deps.runs.save({ ...run, chatRefs: [...run.chatRefs, ref] });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(`could not record the chat message of run ${runId}: it kept changing`);
  }

  async runs(limit = 20, workload?: string): Promise<WorkloadRun[]> {
    return this.deps.runs.recent(limit, workload);
  }

  async run(runId: string): Promise<WorkloadRun> {
    const run = await this.deps.runs.get(runId);
    if (!run)
      throw new NotFoundError(`no workload run "${runId}"; list recent ones with: lightsout workload runs`);
    return run;
  }
}
