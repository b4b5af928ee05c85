/**
 * The timer loop the single process's schedulers share (nags, workload
 * steps): one timer armed for the earliest pending entry, however many there
 * are, and one firing pass at a time. A wake-up that arrives while a pass is
 * running is not lost: the pass runs again once the current one ends. The
 * scheduler owns what is pending and how an entry fires; this owns when.
 *
 * Clock and timer functions are injectable so tests drive time directly.
 */
import type { Clock } from '../ports/clock.js';

/** setTimeout's ceiling (2^31-1 ms, ~24.8 days); longer waits re-arm on wake-up. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: TimerFunctions = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SingleTimerLoopOptions {
  clock: Clock;
  timers: TimerFunctions;
  /** One firing pass: fires every entry due now. */
  fireDue: () => Promise<void>;
  /** When the earliest pending entry falls due (epoch ms), if any. */
  nextFireMs: () => number | undefined;
  /** False once the scheduler is stopped (or before it starts): nothing is armed then. */
  isRunning: () => boolean;
}

export class SingleTimerLoop {
  private timer: unknown;
  private armedAt: number | undefined;
  private ticking: Promise<void> | undefined;
  private rerun = false;

  constructor(private readonly opts: SingleTimerLoopOptions) {}

  /** When the timer is set to wake (epoch ms). */
  get armedAtMs(): number | undefined {
    return this.armedAt;
  }

  /** Runs a firing pass now, or once more after the one in flight; then re-arms. */
  runDue(): Promise<void> {
    if (this.ticking) {
      this.rerun = true;
      return this.ticking;
    }
    this.disarm();
    this.ticking = this.opts.fireDue().finally(() => {
      this.ticking = undefined;
      if (this.rerun && this.opts.isRunning()) {
        this.rerun = false;
        void this.runDue();
      } else {
        this.arm();
      }
    });
    return this.ticking;
  }

  /** Resolves once no pass is running. */
  async idle(): Promise<void> {
    while (this.ticking) await this.ticking;
  }

  /** Sets the timer for the earliest pending entry (a pass in flight re-arms when it ends). */
  arm(): void {
    if (this.ticking) return;
    if (!this.opts.isRunning()) {
      this.disarm();
      return;
    }
    const next = this.opts.nextFireMs();
    if (next === this.armedAt && this.timer !== undefined) return;
    this.disarm();
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.opts.clock().getTime()), MAX_TIMER_DELAY_MS);
    this.armedAt = next;
    this.timer = this.opts.timers.setTimeout(() => {
      this.timer = undefined;
      this.armedAt = undefined;
      void this.runDue();
    }, delay);
  }

  disarm(): void {
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = undefined;
  }
}
