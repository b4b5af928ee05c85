/**
 * The single process's idle check: every IDLE_CHECK_EVERY on a plain
 * interval, never two at once (a slow check makes the next tick wait).
 * A failed check is logged; the next tick tries again.
 */
import type { Log } from '../log.js';
import type { IdleStopCheck } from '../services/consent/idleStopCheck.js';

export interface RunningIdleChecks {
  /** Runs one check now (or waits for the one in flight). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startIdleChecks(
  check: Pick<IdleStopCheck, 'check'>,
  everySeconds: number,
  log: Log,
): RunningIdleChecks {
  let running: Promise<void> | undefined;
  const runNow = (): Promise<void> => {
    running ??= check
      .check()
      .then(() => undefined)
      .catch((err: unknown) => log.error('idle check failed', { error: String(err) }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), everySeconds * 1000);
  timer.unref?.();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
