/**
 * The click retry's deadline: counted from the acknowledgement passed in, and
 * never starting a try that could still run at the deadline. The clock moves
 * only when a try "takes" time or the retry sleeps, so nothing here waits.
 */
import { describe, expect, it } from 'vitest';
import { untilAwsAnswers } from '../../../src/chat/core/actionRetry.js';
import type { ActionResult } from '../../../src/chat/core/actionTypes.js';
import { createLogger } from '../../../src/log.js';
import { VirtualClock } from '../../support/fakes.js';

const THROTTLED: ActionResult = {
  status: 'failed',
  notice: 'Could not stop i-0abc: AWS is throttling',
  updatedRefs: [],
  retryable: true,
};

/** A retry whose every try fails after `tryTakesSeconds`; records each try's request id. */
function hungAws(tryTakesSeconds: number) {
  const clock = new VirtualClock(new Date('2026-03-02T09:00:00Z'));
  const tries: (string | undefined)[] = [];
  const deps = {
    clock: clock.now,
    log: createLogger('test', 'ERROR'),
    deadlineMs: 60_000,
    tryBudgetMs: 30_000,
    sleep: async (ms: number) => clock.advance(ms / 1000),
  };
  const tryOnce = async (requestId: string | undefined) => {
    tries.push(requestId);
    clock.advance(tryTakesSeconds);
    return THROTTLED;
  };
  return { clock, tries, deps, tryOnce };
}

describe('untilAwsAnswers', () => {
  it('starts no try that could run past the deadline, so the clicker is told by then', async () => {
    // Arrange: 60 s deadline, a try may take 30 s; these take 10 s each (backoff 0.5 s, 1 s, 2 s…).
    const { clock, tries, deps, tryOnce } = hungAws(10);
    const acknowledged = clock.now().getTime();

    // Act
    const result = await untilAwsAnswers('Slack', 'click-1', tryOnce, deps, acknowledged);

    // Assert: tries start at 0 s, 10.5 s and 21.5 s; the next would start at 33.5 s, later than 60 − 30.
    expect(result).toBe(THROTTLED);
    expect(tries).toEqual(['click-1', 'click-1#2', 'click-1#3']);
    expect(clock.now().getTime() - acknowledged).toBeLessThanOrEqual(deps.deadlineMs);
  });

  it('counts the deadline from the acknowledgement: a click that waited out its deadline in a queue tries once', async () => {
    // Arrange: the click was acknowledged 61 s ago and only now gets its turn.
    const { clock, tries, deps, tryOnce } = hungAws(1);
    const acknowledged = clock.now().getTime();
    clock.advance(61);

    // Act
    const result = await untilAwsAnswers('Teams', 'click-2', tryOnce, deps, acknowledged);

    // Assert: one try (AWS may have recovered), then the failure, without another cycle.
    expect(result).toBe(THROTTLED);
    expect(tries).toEqual(['click-2']);
  });

  it('counts from the first try when no acknowledgement time is given', async () => {
    // Arrange: the same wait as above, but the caller does not say when the click was answered.
    const { clock, tries, deps, tryOnce } = hungAws(10);
    clock.advance(61);

    // Act
    await untilAwsAnswers('Slack', 'click-3', tryOnce, deps);

    // Assert
    expect(tries).toHaveLength(3);
  });
});
