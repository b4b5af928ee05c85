/**
 * Timers on a virtual clock for the single process: `advanceTo` moves the
 * clock and runs the timers that fell due, waiting for the stop scheduler's
 * firings to settle after each.
 */
import type { SingleProcess } from '../../src/local/singleProcess.js';
import type { TimerFunctions } from '../../src/local/singleTimer.js';
import type { VirtualClock } from './fakes.js';

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
  async advanceTo(at: number, app: SingleProcess): Promise<void> {
    this.clock.advanceTo(new Date(at));
    for (;;) {
      const due = [...this.pending.entries()].find(([, t]) => t.at <= this.clock.now().getTime());
      if (!due) break;
      this.pending.delete(due[0]);
      due[1].fn();
      await app.stopScheduler.idle();
    }
    await app.stopScheduler.idle();
  }
}
