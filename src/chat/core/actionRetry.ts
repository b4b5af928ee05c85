/**
 * The one rule for a chat click whose work meets a failing AWS, shared by
 * Slack and Teams in both runtimes: the person already has their answer, so
 * the action is tried again, with backoff, until CHAT_ACTION_DEADLINE has
 * passed, and its result (done, or the last failure) is shown once.
 *
 * What is tried again: a result the pipeline marks `retryable` (throttling,
 * a 5xx, a hung call, a StopInstances EC2 refused past the SDK's attempts:
 * nothing was applied) and a TransientError thrown on the way. A lost answer
 * is not among them: the pipeline reads EC2 for that, never retries blindly.
 *
 * Each try has its own request id (`<id>#2`, `<id>#3`…), so the chat core's
 * request ledger lets it through, while a second delivery of the same click
 * (Lambda delivers async events at least once) meets the first try's id and
 * does nothing.
 *
 *   const result = await untilAwsAnswers('Teams', request.ctx.requestId,
 *     (requestId) => actions.handle({ ...request, ctx: { ...request.ctx, requestId } }), deps);
 */
import { TransientError } from '../../core/errors.js';
import { realSleep, type Sleep, withRetry } from '../../core/retry.js';
import type { Log } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { ActionResult } from './actionPipeline.js';

export interface ActionRetryDeps {
  clock: Clock;
  log: Log;
  /** How long a click keeps trying while AWS fails (CHAT_ACTION_DEADLINE). */
  deadlineMs: number;
  sleep?: Sleep;
}

/** The failed result of a try that another try may fix. */
class RetryLater extends Error {
  constructor(readonly result: ActionResult) {
    super(result.notice);
  }
}

/**
 * Runs `tryOnce` until it gives a result that is not a retryable failure, or
 * the deadline has passed (then the last result). Other errors reject as thrown.
 */
export async function untilAwsAnswers(
  platform: 'Slack' | 'Teams',
  requestId: string | undefined,
  tryOnce: (requestId: string | undefined) => Promise<ActionResult>,
  deps: ActionRetryDeps,
): Promise<ActionResult> {
  const started = deps.clock().getTime();
  const attemptOnce = async (attempt: number): Promise<ActionResult> => {
    const id = attempt === 1 || requestId === undefined ? requestId : `${requestId}#${attempt}`;
    const result = await tryOnce(id);
    if (result.status === 'failed' && result.retryable) throw new RetryLater(result);
    return result;
  };
  try {
    const { value } = await withRetry(
      {
        attempts: Number.MAX_SAFE_INTEGER,
        baseDelayMs: 500,
        maxDelayMs: 5_000,
        sleep: deps.sleep ?? realSleep,
        retryOn: (err) => err instanceof RetryLater || err instanceof TransientError,
        deadline: { at: started + deps.deadlineMs, now: () => deps.clock().getTime() },
      },
      attemptOnce,
      (err, attempt) =>
        deps.log.warn(`${platform} action will be tried again once AWS answers`, {
          requestId,
          attempt,
          error: err instanceof Error ? err.message : String(err),
        }),
    );
    return value;
  } catch (err) {
    if (err instanceof RetryLater) return err.result;
    throw err;
  }
}
