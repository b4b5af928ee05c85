/**
 * A click or command for a run that is over: why (terminated, restarted,
 * stopped, by whom), and the answer the person gets, with the message as it
 * should read for the run the button was made for. Every action kind answers
 * a stale click the same way.
 */
import { type InstanceRecord, runtimeSeconds } from '../../core/instance.js';
import {
  instanceLabel,
  type NagMessage,
  type NagOutcome,
  nagMessageFromRecord,
  outcomeText,
  outsideStopOutcome,
  stoppedOutcome,
} from '../../core/message/nagMessage.js';
import { type RunTarget, sameLaunch } from '../../core/message/runToken.js';

export interface Staleness {
  record?: InstanceRecord;
  outcome?: NagOutcome;
}

const LIVE = new Set(['pending', 'running']);

/** Why the run the button was made for is over, or undefined when it is still live. */
export function runStaleness(record: InstanceRecord | undefined, target: RunTarget): Staleness | undefined {
  if (!record) return { record: undefined, outcome: { kind: 'terminated' } };
  if (!sameLaunch(record.launchTime, target.launchTime)) return { record, outcome: { kind: 'restarted' } };
  if (record.state === 'terminated' || record.state === 'shutting-down')
    return { record, outcome: { kind: 'terminated' } };
  if (!LIVE.has(record.state)) {
    // The run's own record of its stop: who, from where, and the runtime then.
    const stop = record.lastStop;
    const ran = stop?.runtimeSeconds ?? runtimeSeconds(record, new Date(record.stateChangedAt));
    return {
      record,
      outcome: stop?.by ? stoppedOutcome({ ...stop, by: stop.by }, ran) : outsideStopOutcome(stop, ran),
    };
  }
  return undefined;
}

/** "Nothing done: web-1 (i-…) was restarted since this message was posted. …", and the message to show. */
export function staleAnswer(
  stale: Staleness,
  target: RunTarget,
  now: Date,
): { notice: string; message?: NagMessage } {
  const label = stale.record ? instanceLabel(stale.record) : target.instanceId;
  const why =
    stale.outcome?.kind === 'restarted'
      ? 'was restarted since this message was posted'
      : stale.outcome?.kind === 'terminated'
        ? 'is terminated or no longer tracked'
        : stale.outcome?.kind === 'stopped' || stale.outcome?.kind === 'stopped-outside'
          ? `is no longer running (${lowerFirst(outcomeText(stale.outcome))})`
          : 'is no longer running';
  const notice = `Nothing done: ${label} ${why}. The message now shows its current state.`;
  // Render the message for the run the button was made for, so it never shows another run's buttons.
  const base: InstanceRecord | undefined = stale.record
    ? { ...stale.record, launchTime: target.launchTime, group: target.group }
    : undefined;
  const message = base ? nagMessageFromRecord(base, now, stale.outcome ?? { kind: 'terminated' }) : undefined;
  return { notice, message };
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
