/**
 * The single process's nag scheduler. Due times live in SQLite
 * (`SqliteNagScheduleStore`); one timer is armed for the earliest entry, not
 * one per instance, so 10,000 monitored instances cost one pending timer.
 *
 * Crash safety: an entry is removed only AFTER its handler succeeded (and only
 * if the handler did not reschedule it). A crash mid-nag therefore repeats the
 * nag at the next start rather than losing it: at-least-once delivery. The
 * nagDue use case tolerates that because it re-reads the instance first and
 * the notification carries `instanceId` + `dueAt` as a dedup key.
 * A failing handler keeps its entry and is retried with backoff.
 *
 * `start()` fires everything that fell due while the process was down.
 * Clock and timer functions are injectable so tests drive time directly.
 */
import { DUE_NAGS_AT_ONCE } from '../core/concurrency.js';
import type { InstanceKey } from '../core/instance.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { NagDueHandler, NagSchedule, NagScheduler } from '../ports/nagScheduler.js';
import type { SqliteNagScheduleStore } from '../sqlite/nagScheduleStore.js';
import { KeptScheduleRunner } from './keptScheduleRunner.js';
import { realTimers, type TimerFunctions } from './singleTimer.js';

export { MAX_TIMER_DELAY_MS, type TimerFunctions } from './singleTimer.js';

export interface InProcessNagSchedulerOptions {
  clock?: Clock;
  timers?: TimerFunctions;
  log?: Log;
  /** First retry delay after a failed handler; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class InProcessNagScheduler implements NagScheduler {
  private readonly runner: KeptScheduleRunner<NagSchedule>;

  constructor(
    private readonly store: SqliteNagScheduleStore,
    opts: InProcessNagSchedulerOptions = {},
  ) {
    this.runner = new KeptScheduleRunner<NagSchedule>({
      store: {
        due: (nowMs) => store.due(nowMs).map(withoutFireTime),
        nextFireMs: () => store.nextFireMs(),
        completeIfUnchanged: (nag) => store.removeIfUnchanged(nag),
        deferIfUnchanged: (nag, retryAt) => store.deferIfUnchanged(nag, retryAt),
      },
      clock: opts.clock ?? systemClock,
      timers: opts.timers ?? realTimers,
      log: opts.log ?? createLogger('nag-scheduler'),
      retryDelayMs: opts.retryDelayMs ?? 60_000,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 15 * 60_000,
      // Side by side with a bound: one nag whose EC2 call hangs holds up only itself.
      atOnce: DUE_NAGS_AT_ONCE,
      key: (nag) => `${nag.region}/${nag.instanceId}@${nag.dueAt}`,
      failureMessage: 'Nag handler failed; the nag stays scheduled and will be retried',
      describe: (nag) => ({ instanceId: nag.instanceId, region: nag.region, dueAt: nag.dueAt }),
    });
  }

  /** Starts firing: first everything overdue, then each entry as it falls due. */
  start(handler: NagDueHandler): Promise<void> {
    return this.runner.start(handler);
  }

  /** Clears the timer and waits for a nag in flight to finish. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  async schedule(entry: NagSchedule): Promise<void> {
    if (Number.isNaN(Date.parse(entry.dueAt))) {
      throw new TypeError(`Nag for ${entry.instanceId}: dueAt "${entry.dueAt}" is not an ISO time`);
    }
    this.runner.stored(this.store.upsert(entry));
  }

  async cancel(key: InstanceKey): Promise<void> {
    this.store.remove(key);
  }

  async get(key: InstanceKey): Promise<NagSchedule | undefined> {
    const stored = this.store.get(key);
    return stored && withoutFireTime(stored);
  }

  async list(): Promise<NagSchedule[]> {
    return this.store.list().map(withoutFireTime);
  }

  /** When the single timer is set to wake (epoch ms), for tests and status output. */
  get nextWakeMs(): number | undefined {
    return this.runner.nextWakeMs;
  }

  /** Resolves once no nag is being fired; tests await it after moving the clock. */
  idle(): Promise<void> {
    return this.runner.idle();
  }
}

function withoutFireTime(s: NagSchedule & { fireAtMs?: number }): NagSchedule {
  return { region: s.region, instanceId: s.instanceId, launchTime: s.launchTime, dueAt: s.dueAt };
}
