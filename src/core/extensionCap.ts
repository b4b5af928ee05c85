/**
 * How far Extend may push a run's threshold. Each Extend adds to the run's
 * extension; without a cap, repeated clicks could silence an instance for
 * weeks. Pure: the record, the request and `now` come in.
 */
import { DAY, formatDuration } from './duration.js';
import type { InstanceRecord } from './instance.js';

/** The default cap on a run's total extension (MAX_EXTENSION). */
export const DEFAULT_MAX_EXTENSION_SECONDS = 7 * DAY;

export type ExtensionDecision =
  | { ok: true; extensionSeconds: number }
  | { ok: false; reason: string; leftSeconds: number };

/**
 * The run's new total extension after extending by `bySeconds` at `now`.
 * When the run is already over its threshold the extension counts from now,
 * so "extend 2h" always buys two quiet hours; the time already over the
 * threshold then counts toward the cap too.
 */
export function extendRun(
  record: Pick<InstanceRecord, 'launchTime' | 'thresholdSeconds' | 'extensionSeconds'>,
  bySeconds: number,
  now: Date,
  maxSeconds: number,
): ExtensionDecision {
  const launch = Date.parse(record.launchTime);
  const currentEnd = launch + (record.thresholdSeconds + record.extensionSeconds) * 1000;
  const from = Math.max(currentEnd, now.getTime());
  const usedSeconds = Math.round((from - launch) / 1000) - record.thresholdSeconds;
  const extensionSeconds = usedSeconds + bySeconds;
  if (extensionSeconds <= maxSeconds) return { ok: true, extensionSeconds };
  const leftSeconds = Math.max(0, maxSeconds - usedSeconds);
  const left =
    leftSeconds >= 60
      ? `at most ${formatDuration(leftSeconds)} more can be added`
      : 'nothing more can be added';
  return {
    ok: false,
    leftSeconds,
    reason: `Not extended: a run's threshold can be extended by ${formatDuration(maxSeconds)} in total (MAX_EXTENSION), and ${left}. Stop the instance, or raise its Threshold tag if it really needs to run longer.`,
  };
}
