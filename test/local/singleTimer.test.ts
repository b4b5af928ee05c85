import { describe, expect, it } from 'vitest';
import { SingleTimerLoop, type TimerFunctions } from '../../src/local/singleTimer.js';

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: TimerFunctions = {
    setTimeout(fn) {
      next += 1;
      pending.set(next, fn);
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return { timers, pending };
}

describe('SingleTimerLoop', () => {
  it('runs another pass when a wake-up arrives during a pass, instead of dropping it', async () => {
    const { timers } = manualTimers();
    const due: string[] = ['first'];
    const fired: string[][] = [];
    let release: () => void = () => {};
    let passes = 0;
    const loop = new SingleTimerLoop({
      clock: () => new Date(0),
      timers,
      isRunning: () => true,
      nextFireMs: () => (due.length > 0 ? 0 : undefined),
      fireDue: async () => {
        passes += 1;
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        fired.push(due.splice(0));
      },
    });

    const first = loop.runDue();
    // The first pass has snapshotted nothing yet but is blocked; a new entry becomes due and wakes the loop.
    due.push('second');
    const second = loop.runDue();
    release();
    await first;
    await second;
    await loop.idle();

    expect(passes).toBe(2);
    expect(fired.flat()).toEqual(['first', 'second']);
  });
});
