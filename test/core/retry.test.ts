import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../src/aws/errors.js';
import { ConflictError, TransientError, ValidationError } from '../../src/core/errors.js';
import { backoffDelayMs, isTransient, type RetryPolicy, withRetry } from '../../src/core/retry.js';

/** A policy that records its sleeps instead of waiting. */
function policy(overrides: Partial<RetryPolicy> = {}) {
  const sleeps: number[] = [];
  const p: RetryPolicy = {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  };
  return { p, sleeps };
}

/** What an SDK throttling error looks like once an adapter translated it. */
const sdkThrottle = () =>
  translateAwsError(
    Object.assign(new Error('Rate exceeded'), {
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    }),
    'StopInstances',
  );

describe('withRetry', () => {
  it('backs off exponentially up to the cap', () => {
    const delays = [1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, { baseDelayMs: 100, maxDelayMs: 1000 }));

    expect(delays).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0)).toBe(200);
  });

  it('retries a lost race until it succeeds', async () => {
    const { p, sleeps } = policy();
    let calls = 0;

    const out = await withRetry(p, async () => {
      calls += 1;
      if (calls < 3) throw new ConflictError('record changed under us');
      return 'saved';
    });

    expect(out).toEqual({ value: 'saved', attempts: 3 });
    expect(sleeps).toEqual([100, 200]);
  });

  it('does not retry an AWS failure the SDK already retried, so attempts never multiply', async () => {
    const { p, sleeps } = policy();
    let calls = 0;

    const err = await withRetry(p, async () => {
      calls += 1;
      throw sdkThrottle();
    }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TransientError);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('waits for AWS to come back when asked to, but not past the deadline', async () => {
    let now = 0;
    const { p, sleeps } = policy({
      attempts: 100,
      retryOn: isTransient,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      deadline: { at: 1000, now: () => now },
    });
    let calls = 0;

    const err = await withRetry(p, async () => {
      calls += 1;
      throw sdkThrottle();
    }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TransientError);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(calls).toBe(4);
  });

  it('never retries a failure another try cannot fix', async () => {
    const { p, sleeps } = policy({ retryOn: isTransient });

    const err = await withRetry(p, async () => {
      throw new ValidationError('bad input');
    }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ValidationError);
    expect(sleeps).toEqual([]);
  });
});
