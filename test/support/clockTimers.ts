/**
 * Timers on a virtual clock for the in-process schedulers: `runDue` fires the
 * timers the clock has reached, waiting for the scheduler's firings to settle
 * after each (a firing may set the next timer); `advanceTo` moves the clock
 * first. One copy, so the suites that drive time agree on what "due" means.
 */
import type { TimerFunctions } from '../../src/local/singleTimer.js';
import type { VirtualClock } from './fakes.js';

/** What settles after a firing: the in-process stop scheduler (`idle()`). */
export interface Settles {
  idle(): Promise<void>;
}

export class ClockTimers implements TimerFunctions {
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  constructor(readonly clock: VirtualClock) {}
  setTimeout = (fn: () => void, ms: number) => {
    this.pending.set(++this.seq, { at: this.clock.now().getTime() + ms, fn });
    return this.seq;
  };
  clearTimeout = (id: unknown) => {
    this.pending.delete(id as number);
  };
  async runDue(scheduler: Settles): Promise<void> {
    for (;;) {
      const due = [...this.pending.entries()].find(([, t]) => t.at <= this.clock.now().getTime());
      if (!due) break;
      this.pending.delete(due[0]);
      due[1].fn();
      await scheduler.idle();
    }
    await scheduler.idle();
  }
  /** Moves the clock to `at` (epoch ms, ISO or Date) and fires what fell due in the single process. */
  async advanceTo(at: number | string | Date, app: { stopScheduler: Settles }): Promise<void> {
    this.clock.advanceTo(new Date(at));
    await this.runDue(app.stopScheduler);
  }
}
