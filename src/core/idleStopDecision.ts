/**
 * What the idle check does with a "stop when idle" consent, given the
 * verdict of `judgeIdle`: warn, stop after the grace period, call the stop
 * off, or wait. Pure, like the verdict: `now` comes in.
 */
import { formatDuration } from './duration.js';
import type { IdleVerdict } from './idle.js';

/** What the idle check does with one idle consent. */
export type IdleStopDecision =
  | { act: 'warn'; reason: string }
  | { act: 'stop'; reason: string }
  /** Busy again after the warning: the stop is called off, the consent stays and is watched again. */
  | { act: 'retract'; reason: string }
  | { act: 'wait'; reason: string };

/**
 * One check of a "stop when idle" consent: idle for the whole window → warn;
 * warned and still idle once the grace period is over → stop; busy again
 * after the warning → call the stop off and keep watching. A verdict that
 * cannot judge (no data) is never idle, so it never stops anything.
 */
export function decideIdleStop(
  consent: { forSeconds: number; warnedAt?: string },
  verdict: Pick<IdleVerdict, 'idle' | 'reason'>,
  now: Date,
  graceSeconds: number,
): IdleStopDecision {
  if (!consent.warnedAt) {
    return verdict.idle
      ? {
          act: 'warn',
          reason: `${verdict.reason}; stopping in ${formatDuration(graceSeconds)} unless cancelled`,
        }
      : { act: 'wait', reason: `not idle yet: ${verdict.reason}` };
  }
  if (!verdict.idle) return { act: 'retract', reason: `busy again after the warning: ${verdict.reason}` };
  const due = Date.parse(consent.warnedAt) + graceSeconds * 1000;
  if (now.getTime() >= due) {
    return {
      act: 'stop',
      reason: `still idle ${formatDuration(graceSeconds)} after the warning: ${verdict.reason}`,
    };
  }
  return {
    act: 'wait',
    reason: `warned; the grace period ends in ${formatDuration((due - now.getTime()) / 1000)}`,
  };
}
