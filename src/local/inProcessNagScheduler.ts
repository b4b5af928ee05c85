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
import { DUE_NAGS_AT_ONCE, settleEach } from '../core/concurrency.js';
import type { InstanceKey } from '../core/instance.js';
import { backoffDelayMs } from '../core/retry.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { NagDueHandler, NagSchedule, NagScheduler } from '../ports/nagScheduler.js';
import type { SqliteNagScheduleStore } from '../sqlite/nagScheduleStore.js';
import { realTimers, SingleTimerLoop, type TimerFunctions } from './singleTimer.js';

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
  private readonly clock: Clock;
  private readonly loop: SingleTimerLoop;
  private readonly log: Log;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private handler: NagDueHandler | undefined;
  private stopped = true;

  constructor(
    private readonly store: SqliteNagScheduleStore,
    opts: InProcessNagSchedulerOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? createLogger('nag-scheduler');
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

  /** Starts firing: first everything overdue, then each entry as it falls due. */
  async start(handler: NagDueHandler): Promise<void> {
    this.handler = handler;
    this.stopped = false;
    await this.loop.runDue();
  }

  /** Clears the timer and waits for a nag in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.disarm();
    await this.loop.idle();
  }

  async schedule(entry: NagSchedule): Promise<void> {
    if (Number.isNaN(Date.parse(entry.dueAt))) {
      throw new TypeError(`Nag for ${entry.instanceId}: dueAt "${entry.dueAt}" is not an ISO time`);
    }
    const fireMs = this.store.upsert(entry);
    // Only an earlier entry moves the timer; cancelled or moved-out entries
    // leave it armed and it re-arms for the real next one when it wakes.
    const armedAtMs = this.loop.armedAtMs;
    if (armedAtMs === undefined || fireMs < armedAtMs) this.loop.arm();
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
    return this.loop.armedAtMs;
  }

  /** Resolves once no nag is being fired; tests await it after moving the clock. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private async fireDue(): Promise<void> {
    // A handler that reschedules into the past must not spin this loop.
    const firedThisRun = new Set<string>();
    for (;;) {
      if (this.stopped || !this.handler) return;
      const batch = this.store
        .due(this.clock().getTime())
        .filter((s) => !firedThisRun.has(`${s.region}/${s.instanceId}@${s.dueAt}`));
      if (batch.length === 0) return;
      const handler = this.handler;
      // Side by side with a bound: one nag whose EC2 call hangs holds up only itself.
      await settleEach(batch, DUE_NAGS_AT_ONCE, async (stored) => {
        if (this.stopped) return;
        const nag = withoutFireTime(stored);
        firedThisRun.add(`${nag.region}/${nag.instanceId}@${nag.dueAt}`);
        try {
          await handler(nag);
          this.store.removeIfUnchanged(nag);
        } catch (err) {
          this.deferAfterFailure(nag, err);
        }
      });
    }
  }

  private deferAfterFailure(nag: NagSchedule, err: unknown): void {
    const now = this.clock().getTime();
    const attempts = this.store.deferIfUnchanged(
      nag,
      (n) => now + backoffDelayMs(n, { baseDelayMs: this.retryDelayMs, maxDelayMs: this.maxRetryDelayMs }),
    );
    this.log.error('Nag handler failed; the nag stays scheduled and will be retried', {
      instanceId: nag.instanceId,
      region: nag.region,
      dueAt: nag.dueAt,
      attempts,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

function withoutFireTime(s: NagSchedule & { fireAtMs?: number }): NagSchedule {
  return { region: s.region, instanceId: s.instanceId, launchTime: s.launchTime, dueAt: s.dueAt };
}
