/**
 * A Stop (or Hibernate) from a click or a command, after the pipeline's
 * checks: it goes through the one stop operation (claim, StopInstances,
 * record, audit; see services/monitor/stop.ts), and this only turns the
 * operation's result into what the clicker reads and how the messages change.
 */
import { formatDuration } from '../../core/duration.js';
import { TransientError } from '../../core/errors.js';
import { type ChatMessageRef, type InstanceRecord, instanceKeyString } from '../../core/instance.js';
import {
  type ChatPerson,
  instanceLabel,
  type NagOutcome,
  nagMessageFromRecord,
  outcomeStyle,
  stoppedOutcome,
} from '../../core/message/nagMessage.js';
import type { RunTarget } from '../../core/message/runToken.js';
import type { Log } from '../../log.js';
import type { RunStopper } from '../../services/monitor/stop.js';
import type { ActionResult } from './actionTypes.js';
import { describeFailure } from './failureText.js';
import { runStaleness, staleAnswer } from './staleRun.js';

export interface StopActionDeps {
  stopper: Pick<RunStopper, 'stop'>;
  log: Log;
  /** Rewrites every message of the run; never throws (a failed rewrite does not undo a stop). */
  rewrite(record: InstanceRecord, outcome: NagOutcome | undefined, now: Date): Promise<ChatMessageRef[]>;
}

export interface StopActionRequest {
  target: RunTarget;
  person: ChatPerson;
  /** The run as the pipeline read it (for the label and when the operation returns none). */
  record: InstanceRecord;
  now: Date;
  hibernate: boolean;
}

/** A stop goes through the one stop operation (claim, StopInstances, record, audit); this only words it. */
export async function stopAction(deps: StopActionDeps, a: StopActionRequest): Promise<ActionResult> {
  const { target, person, record, now, hibernate } = a;
  const result = await deps.stopper.stop(target, person, hibernate ? { hibernate } : undefined);
  const label = instanceLabel(record);
  switch (result.status) {
    case 'stopping': {
      const outcome: NagOutcome = {
        kind: 'stopped',
        by: person,
        runtimeSeconds: result.runtimeSeconds,
        ...(result.hibernated ? { hibernated: true } : {}),
      };
      const verb = result.hibernated ? 'Hibernating' : 'Stopping';
      const notice = result.confirmedByReread
        ? `${verb} ${label} after ${formatDuration(result.runtimeSeconds)}. (AWS's answer was lost on the way, but EC2 reports it stopping.)`
        : `${verb} ${label} after ${formatDuration(result.runtimeSeconds)}.`;
      const updatedRefs = await deps.rewrite(result.record, outcome, now);
      return {
        status: 'done',
        message: nagMessageFromRecord(result.record, now, outcome),
        notice,
        updatedRefs,
      };
    }
    case 'already': {
      const who = result.by ? outcomeStyle.person(result.by) : 'someone else';
      const stop = result.record.lastStop;
      const message = stop?.by
        ? nagMessageFromRecord(result.record, now, stoppedOutcome({ ...stop, by: stop.by }))
        : undefined;
      return {
        status: 'stale',
        notice: `Nothing done: ${label} is already being stopped by ${who}.`,
        message,
        updatedRefs: [],
      };
    }
    case 'stale': {
      const seen: InstanceRecord | undefined = result.live
        ? { ...(result.record ?? record), state: result.live.state, launchTime: result.live.launchTime }
        : result.record && result.reason !== 'gone'
          ? result.record
          : { ...(result.record ?? record), state: 'terminated' };
      // The stop operation already audited the attempt: only the answer is built here.
      const stale = runStaleness(seen, target) ?? { record, outcome: { kind: 'terminated' as const } };
      const { notice, message } = staleAnswer(stale, target, now);
      return { status: 'stale', notice, message, updatedRefs: [] };
    }
    case 'protected':
    case 'refused':
      return {
        status: 'refused',
        notice: result.reason,
        message: nagMessageFromRecord(result.record, now),
        updatedRefs: [],
      };
    case 'failed':
      return {
        status: 'failed',
        notice: describeFailure(result.error, 'stop', record),
        message: nagMessageFromRecord(result.record, now),
        updatedRefs: [],
        // Throttled or refused for now: EC2 said no, so nothing was applied and the claim is
        // released; a click's work may try again (a lost answer comes back as 'unknown' instead).
        retryable: result.error instanceof TransientError,
      };
    case 'unknown':
      deps.log.error('stop outcome unknown', {
        target: instanceKeyString(target),
        error: String(result.error),
      });
      return {
        status: 'failed',
        notice: `Could not tell whether ${label} stopped: AWS's answer was lost and EC2 could not be read again. Check it with \`status ${record.instanceId}\` in a minute before trying again.`,
        message: nagMessageFromRecord(result.record, now),
        updatedRefs: [],
      };
  }
}
