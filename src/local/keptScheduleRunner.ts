/**
 * What the single process's schedulers (nags, consented stops) share: entries
 * kept in SQLite, one timer for the earliest (`SingleTimerLoop`), and firing
 * with at-least-once delivery. An entry is completed only AFTER its handler
 * succeeded, so a crash mid-firing repeats it at the next start; a failing
 * handler keeps its entry and is retried with backoff. Each scheduler says
 * how its entries are read, completed and logged; this owns the rest, so a fix
 * to the firing loop reaches both.
 */
import { settleEach } from '../core/concurrency.js';
import { backoffDelayMs } from '../core/retry.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import { SingleTimerLoop, type TimerFunctions } from './singleTimer.js';

/** The scheduler's view of its SQLite store, in the firing's own shape. */
export interface KeptScheduleStore<F> {
  /** Entries due at `nowMs`, as the handler receives them. */
  due(nowMs: number): F[];
  /** When the earliest entry falls due (epoch ms), if any. */
  nextFireMs(): number | undefined;
  /** Removes the entry unless it was rescheduled while it fired. */
  completeIfUnchanged(firing: F): void;
  /** Moves the entry to `retryAt(attempts)`; returns the attempts so far. */
  deferIfUnchanged(firing: F, retryAt: (attempts: number) => number): number | undefined;
}

export interface KeptScheduleRunnerOptions<F> {
  store: KeptScheduleStore<F>;
  clock: Clock;
  timers: TimerFunctions;
  log: Log;
  /** First retry delay after a failed handler; doubles up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Handlers in flight at once within a pass. */
  atOnce: number;
  /** Identifies one firing, so a handler that reschedules into the past cannot spin a pass. */
  key(firing: F): string;
  /** What the failure log says, and the firing's fields it carries. */
  failureMessage: string;
  describe(firing: F): Record<string, unknown>;
}

export class KeptScheduleRunner<F> {
  private readonly loop: SingleTimerLoop;
  private handler: ((firing: F) => Promise<void>) | undefined;
  private stopped = true;

  constructor(private readonly opts: KeptScheduleRunnerOptions<F>) {
    this.loop = new SingleTimerLoop({
      clock: opts.clock,
      timers: opts.timers,
      fireDue: () => this.fireDue(),
      nextFireMs: () => opts.store.nextFireMs(),
      isRunning: () => !this.stopped,
    });
  }

  /** Starts firing: first everything overdue, then each entry as it falls due. */
  async start(handler: (firing: F) => Promise<void>): Promise<void> {
    this.handler = handler;
    this.stopped = false;
    await this.loop.runDue();
  }

  /** Clears the timer and waits for a firing in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.loop.disarm();
    await this.loop.idle();
  }

  /**
   * Tells the loop an entry was stored for `fireMs`. Only an earlier entry
   * moves the timer; cancelled or moved-out entries leave it armed and it
   * re-arms for the real next one when it wakes.
   */
  stored(fireMs: number): void {
    const armedAtMs = this.loop.armedAtMs;
    if (armedAtMs === undefined || fireMs < armedAtMs) this.loop.arm();
  }

  /** When the single timer is set to wake (epoch ms). */
  get nextWakeMs(): number | undefined {
    return this.loop.armedAtMs;
  }

  /** Resolves once no firing is in flight; tests await it after moving the clock. */
  idle(): Promise<void> {
    return this.loop.idle();
  }

  private async fireDue(): Promise<void> {
    const { store, key } = this.opts;
    const firedThisRun = new Set<string>();
    for (;;) {
      if (this.stopped || !this.handler) return;
      const batch = store.due(this.opts.clock().getTime()).filter((f) => !firedThisRun.has(key(f)));
      if (batch.length === 0) return;
      const handler = this.handler;
      // Side by side with a bound: one firing whose call hangs holds up only itself.
      await settleEach(batch, this.opts.atOnce, async (firing) => {
        if (this.stopped) return;
        firedThisRun.add(key(firing));
        try {
          await handler(firing);
          store.completeIfUnchanged(firing);
        } catch (err) {
          this.deferAfterFailure(firing, err);
        }
      });
    }
  }

  private deferAfterFailure(firing: F, err: unknown): void {
    const { clock, store, retryDelayMs, maxRetryDelayMs } = this.opts;
    const now = clock().getTime();
    const attempts = store.deferIfUnchanged(
      firing,
      (n) => now + backoffDelayMs(n, { baseDelayMs: retryDelayMs, maxDelayMs: maxRetryDelayMs }),
    );
    this.opts.log.error(this.opts.failureMessage, {
      ...this.opts.describe(firing),
      attempts,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
