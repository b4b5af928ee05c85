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
 * The deadline counts from `startedAt`, when the click was acknowledged (not
 * when a queue slot or a hand-off let the work begin), and no try starts that
 * could still be running at the deadline (`tryBudgetMs`, `worstCaseTryMs`):
 * the clicker hears the result by CHAT_ACTION_DEADLINE, and on Lambda before
 * the function's timeout. The first try always runs, however late.
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
  /** The longest one try can take (`worstCaseTryMs` of the AWS client settings); 0 when unknown. */
  tryBudgetMs?: number;
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
  /** Epoch ms the click was acknowledged; now when not known. */
  startedAt?: number,
): Promise<ActionResult> {
  const started = startedAt ?? deps.clock().getTime();
  // The last moment a try may start and still end by the deadline.
  const lastStart = started + deps.deadlineMs - (deps.tryBudgetMs ?? 0);
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
        deadline: { at: lastStart, now: () => deps.clock().getTime() },
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
