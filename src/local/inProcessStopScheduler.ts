/**
 * The single process's stop scheduler: consented stops live in SQLite
 * (`SqliteStopScheduleStore`) and one timer is armed for the earliest firing,
 * as for nags. A firing is completed only AFTER its handler succeeded, so a
 * crash mid-stop repeats it at the next start (the consent service re-reads
 * the record first and RunStopper claims the stop, so a repeat stops nothing
 * twice). A failing handler keeps its entry and is retried with backoff.
 * `start()` fires everything that fell due while the process was down.
 */
import type { InstanceKey } from '../core/instance.js';
import { backoffDelayMs } from '../core/retry.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { StopFiring, StopFiringHandler, StopSchedule, StopScheduler } from '../ports/stopScheduler.js';
import type { SqliteStopScheduleStore } from '../sqlite/stopScheduleStore.js';
import { realTimers, SingleTimerLoop, type TimerFunctions } from './singleTimer.js';

export interface InProcessStopSchedulerOptions {
  clock?: Clock;
  timers?: TimerFunctions;
  log?: Log;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class InProcessStopScheduler implements StopScheduler {
  private readonly clock: Clock;
  private readonly loop: SingleTimerLoop;
  private readonly log: Log;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private handler: StopFiringHandler | undefined;
  private stopped = true;

  constructor(
    private readonly store: SqliteStopScheduleStore,
    opts: InProcessStopSchedulerOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger('stop-scheduler');
    this.retryDelayMs = opts.retryDelayMs ?? 60_000;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 15 * 60_000;
    this.loop = new SingleTimerLoop({
      clock: this.clock,
      timers: opts.timers ?? realTimers,
      fireDue: () => this.fireDue(),
      nextFireMs: () => this.store.nextFireMs(),
      isRunning: () => !this.stopped,
    });
  }

  /** Starts firing: first everything overdue, then each firing as it falls due. */
  async start(handler: StopFiringHandler): Promise<void> {
    this.handler = handler;
    this.stopped = false;
    await this.loop.runDue();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.disarm();
    await this.loop.idle();
  }

  async schedule(entry: StopSchedule): Promise<void> {
    for (const t of [entry.stopAt, entry.warnAt]) {
      if (t !== undefined && Number.isNaN(Date.parse(t))) {
        throw new TypeError(`Stop of ${entry.instanceId}: "${t}" is not an ISO time`);
      }
    }
    const fireMs = this.store.upsert(entry);
    const armedAtMs = this.loop.armedAtMs;
    if (armedAtMs === undefined || fireMs < armedAtMs) this.loop.arm();
  }

  async cancel(key: InstanceKey): Promise<void> {
    this.store.remove(key);
  }

  async get(key: InstanceKey): Promise<StopSchedule | undefined> {
    return this.store.get(key);
  }

  async list(): Promise<StopSchedule[]> {
    return this.store.list();
  }

  /** Resolves once no firing is in flight; tests await it after moving the clock. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private async fireDue(): Promise<void> {
    const firedThisRun = new Set<string>();
    for (;;) {
      if (this.stopped || !this.handler) return;
      const batch = this.store.due(this.clock().getTime()).filter((f) => !firedThisRun.has(firingKey(f)));
      if (batch.length === 0) return;
      for (const firing of batch) {
        if (this.stopped) return;
        firedThisRun.add(firingKey(firing));
        try {
          await this.handler(firing);
          this.store.completeIfUnchanged(firing);
        } catch (err) {
          this.deferAfterFailure(firing, err);
        }
      }
    }
  }

  private deferAfterFailure(firing: StopFiring, err: unknown): void {
    const now = this.clock().getTime();
    const attempts = this.store.deferIfUnchanged(
      firing,
      (n) => now + backoffDelayMs(n, { baseDelayMs: this.retryDelayMs, maxDelayMs: this.maxRetryDelayMs }),
    );
    this.log.error('Stop firing failed; it stays scheduled and will be retried', {
      instanceId: firing.instanceId,
      region: firing.region,
      kind: firing.kind,
      stopAt: firing.stopAt,
      attempts,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

const firingKey = (f: StopFiring): string => `${f.region}/${f.instanceId}@${f.stopAt}#${f.kind}`;
