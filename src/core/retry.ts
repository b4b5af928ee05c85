/**
 * The one retry and backoff helper. Exponential backoff with jitter, a cap on
 * the delay, and a bound on the attempts and (optionally) on the time spent.
 *
 * AWS calls are retried by the SDK alone (its attempts and timeouts come from
 * `src/aws/clients.ts`). By default this helper does not retry an AWS failure
 * the SDK already gave up on: stacking two retry loops once let one cleanup
 * step make 15 attempts. It retries what the SDK cannot see: a conditional
 * write that lost a race, a webhook that failed, or, when a caller asks for
 * it with a deadline (`retryOn: isTransient`), a chat action waiting for AWS
 * to come back. `sleep` and `random` are injected, so tests run without waiting.
 */
import { ConflictError, LightsOutError, TransientError } from './errors.js';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryPolicy extends Backoff {
  /** Total tries, including the first. */
  attempts: number;
  sleep: Sleep;
  /** 0..1; injectable for deterministic tests. */
  random?: () => number;
  /** Which failures another try may fix; `isRetryable` by default. */
  retryOn?: (err: unknown) => boolean;
  /** No retry starts after this time (epoch ms, read through `now`). */
  deadline?: { at: number; now: () => number };
}

/**
 * Delay before retry number `attempt` (1 = first retry): doubles from
 * `baseDelayMs` up to `maxDelayMs`; with `random`, a jittered 50–100% of that,
 * so many callers failing together do not retry together.
 */
export function backoffDelayMs(attempt: number, backoff: Backoff, random?: () => number): number {
  const cap = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1));
  return random ? Math.round(cap * (0.5 + random() / 2)) : cap;
}

/** True for an AWS failure the SDK classified as throttling, a 5xx or a timeout (after its own retries). */
export function isTransient(err: unknown): boolean {
  return err instanceof TransientError;
}

/** True when the failure came out of the AWS SDK, whose own retries have been spent on it. */
function fromAwsSdk(err: unknown): boolean {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return typeof cause === 'object' && cause !== null && '$metadata' in cause;
}

/** The default: races and non-AWS failures, never an AWS failure the SDK already retried. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ConflictError) return true;
  if (err instanceof TransientError) return !fromAwsSdk(err);
  // Our own errors say what went wrong for good; anything else (a bug in a
  // dependency, a network reset surfaced raw) gets another chance.
  return !(err instanceof LightsOutError);
}

/** Runs `fn` until it succeeds or the attempts are used up; rethrows the last error. `onRetry` sees each failure retried. */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<{ value: T; attempts: number }> {
  const random = policy.random ?? Math.random;
  const retryOn = policy.retryOn ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      const delayMs = backoffDelayMs(attempt, policy, random);
      const late = policy.deadline && policy.deadline.now() + delayMs > policy.deadline.at;
      if (attempt >= policy.attempts || late || !retryOn(err)) throw err;
      onRetry?.(err, attempt, delayMs);
      await policy.sleep(delayMs);
    }
  }
}
