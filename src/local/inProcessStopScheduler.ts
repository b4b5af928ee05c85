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
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type {
  LeftSchedule,
  StopFiring,
  StopFiringHandler,
  StopSchedule,
  StopScheduler,
} from '../ports/stopScheduler.js';
import type { SqliteStopScheduleStore } from '../sqlite/stopScheduleStore.js';
import { KeptScheduleRunner } from './keptScheduleRunner.js';
import { realTimers, type TimerFunctions } from './singleTimer.js';

export interface InProcessStopSchedulerOptions {
  clock?: Clock;
  timers?: TimerFunctions;
  log?: Log;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class InProcessStopScheduler implements StopScheduler {
  private readonly runner: KeptScheduleRunner<StopFiring>;

  constructor(
    private readonly store: SqliteStopScheduleStore,
    opts: InProcessStopSchedulerOptions = {},
  ) {
    this.runner = new KeptScheduleRunner<StopFiring>({
      store,
      clock: opts.clock ?? systemClock,
      timers: opts.timers ?? realTimers,
      log: opts.log ?? createLogger('stop-scheduler'),
      retryDelayMs: opts.retryDelayMs ?? 60_000,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 15 * 60_000,
      // Stops fire one at a time, in the order they fell due.
      atOnce: 1,
      key: (f) => `${f.region}/${f.instanceId}@${f.stopAt}#${f.kind}`,
      failureMessage: 'Stop firing failed; it stays scheduled and will be retried',
      describe: (f) => ({ instanceId: f.instanceId, region: f.region, kind: f.kind, stopAt: f.stopAt }),
    });
  }

  /** Starts firing: first everything overdue, then each firing as it falls due. */
  start(handler: StopFiringHandler): Promise<void> {
    return this.runner.start(handler);
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** One row per instance, replaced in one write: nothing superseded is left to delete, so `wanted` is not needed. */
  async schedule(entry: StopSchedule): Promise<LeftSchedule[]> {
    for (const t of [entry.stopAt, entry.warnAt]) {
      if (t !== undefined && Number.isNaN(Date.parse(t))) {
        throw new TypeError(`Stop of ${entry.instanceId}: "${t}" is not an ISO time`);
      }
    }
    this.runner.stored(this.store.upsert(entry));
    return [];
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
    return this.runner.idle();
  }
}
