/**
 * Retries with exponential backoff and full jitter for the cleanup hooks.
 * Only failures that another try can fix are retried (throttling, 5xx,
 * timeouts, a record changed under us); access denied, a missing zone or a
 * rejected webhook fail at once so the report says why without delay.
 * `sleep` is injected so tests run without waiting.
 */
import { ConflictError, LightsOutError, TransientError } from './errors.js';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Total tries, including the first. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  /** 0..1; injectable for deterministic tests. */
  random?: () => number;
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof TransientError || err instanceof ConflictError) return true;
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
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (err) {
      if (attempt >= policy.attempts || !isRetryable(err)) {
        throw err;
      }
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(cap * (0.5 + random() / 2));
      onRetry?.(err, attempt, delayMs);
      await policy.sleep(delayMs);
    }
  }
}
