/**
 * The single process's workload step scheduler, on the same timer loop as the
 * in-process nag scheduler (`SingleTimerLoop`): one timer armed for the
 * earliest pending step, injectable clock and timers, a failing step retried
 * with backoff.
 *
 * It keeps no file of its own: the run store already holds every active run's
 * next step (`run.next`), so after a restart `WorkloadService.resume()` puts
 * them back here. A step lost from memory in a crash is therefore re-armed
 * from the last saved step, never skipped.
 */

import { backoffDelayMs } from '../core/retry.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type {
  WorkloadStepDue,
  WorkloadStepHandler,
  WorkloadStepScheduler,
} from '../ports/workloadStepScheduler.js';
import { realTimers, SingleTimerLoop, type TimerFunctions } from './singleTimer.js';

export interface InProcessWorkloadStepSchedulerOptions {
  clock?: Clock;
  timers?: TimerFunctions;
  log?: Log;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class InProcessWorkloadStepScheduler implements WorkloadStepScheduler {
  private readonly pending = new Map<string, WorkloadStepDue & { attempts: number }>();
  private readonly clock: Clock;
  private readonly loop: SingleTimerLoop;
  private readonly log: Log;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private handler: WorkloadStepHandler | undefined;

  constructor(opts: InProcessWorkloadStepSchedulerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger('workload-steps');
    this.retryDelayMs = opts.retryDelayMs ?? 30_000;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 10 * 60_000;
    this.loop = new SingleTimerLoop({
      clock: this.clock,
      timers: opts.timers ?? realTimers,
      fireDue: () => this.fireDue(),
      nextFireMs: () => this.nextFireMs(),
      isRunning: () => this.handler !== undefined,
    });
  }

  /** Starts firing steps (anything already due fires at once). */
  async start(handler: WorkloadStepHandler): Promise<void> {
    this.handler = handler;
    await this.loop.runDue();
  }

  async stop(): Promise<void> {
    this.handler = undefined;
    this.loop.disarm();
    await this.loop.idle();
  }

  async schedule(step: WorkloadStepDue): Promise<void> {
    if (Number.isNaN(Date.parse(step.dueAt)))
      throw new TypeError(`step dueAt "${step.dueAt}" is not an ISO time`);
    this.pending.set(step.runId, { ...step, attempts: 0 });
    if (this.handler) void this.loop.runDue();
  }

  async cancel(runId: string): Promise<void> {
    this.pending.delete(runId);
  }

  /** Pending steps, for status output and tests. */
  list(): WorkloadStepDue[] {
    return [...this.pending.values()].map(({ attempts: _a, ...s }) => s);
  }

  /** Resolves once no step is running; tests await it after moving the clock. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  /** Fires whatever is due now (timers call it; tests may too after moving the clock). */
  runDue(): Promise<void> {
    return this.loop.runDue();
  }

  private async fireDue(): Promise<void> {
    const now = this.clock().getTime();
    const due = [...this.pending.values()].filter((s) => Date.parse(s.dueAt) <= now);
    for (const step of due) {
      if (!this.handler) return;
      // Remove first: the handler usually schedules the run's next step.
      if (this.pending.get(step.runId) === step) this.pending.delete(step.runId);
      try {
        await this.handler({ runId: step.runId, seq: step.seq, dueAt: step.dueAt });
      } catch (err) {
        const delay = backoffDelayMs(step.attempts + 1, {
          baseDelayMs: this.retryDelayMs,
          maxDelayMs: this.maxRetryDelayMs,
        });
        this.log.warn('workload step failed; retrying', {
          runId: step.runId,
          seq: step.seq,
          delayMs: delay,
          error: String(err),
        });
        if (!this.pending.has(step.runId)) {
          this.pending.set(step.runId, {
            ...step,
            dueAt: new Date(this.clock().getTime() + delay).toISOString(),
            attempts: step.attempts + 1,
          });
        }
      }
    }
  }

  private nextFireMs(): number | undefined {
    if (this.pending.size === 0) return undefined;
    return Math.min(...[...this.pending.values()].map((s) => Date.parse(s.dueAt)));
  }
}
