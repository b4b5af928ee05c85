import { describe, expect, it } from 'vitest';
import { InProcessWorkloadStepScheduler } from '../../src/local/inProcessWorkloadStepScheduler.js';
import { createLogger } from '../../src/log.js';
import type { WorkloadStepDue } from '../../src/ports/workloadStepScheduler.js';

/** Timers the test fires by hand; the clock is a variable. */
function harness() {
  let now = Date.parse('2026-11-21T04:00:00Z');
  const armed: { fn: () => void; ms: number }[] = [];
  const scheduler = new InProcessWorkloadStepScheduler({
    clock: () => new Date(now),
    timers: { setTimeout: (fn, ms) => armed.push({ fn, ms }) - 1, clearTimeout: () => {} },
    retryDelayMs: 1000,
    log: createLogger('test', 'ERROR'),
  });
  return {
    scheduler,
    armed,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('in-process workload step scheduler', () => {
  it('fires a step only once it is due, one timer for the earliest step', async () => {
    const h = harness();
    const fired: WorkloadStepDue[] = [];
    await h.scheduler.start(async (s) => {
      fired.push(s);
    });

    await h.scheduler.schedule({ runId: 'r1', seq: 2, dueAt: '2026-11-21T04:00:10.000Z' });
    await h.scheduler.idle();
    expect(fired).toEqual([]);
    expect(h.armed.at(-1)?.ms).toBe(10_000);

    h.advance(10_000);
    await h.scheduler.runDue();

    expect(fired).toEqual([{ runId: 'r1', seq: 2, dueAt: '2026-11-21T04:00:10.000Z' }]);
    expect(h.scheduler.list()).toEqual([]);
  });

  it('retries a failed step with backoff and keeps a step the handler rescheduled', async () => {
    const h = harness();
    let calls = 0;
    await h.scheduler.start(async (s) => {
      calls++;
      if (calls === 1) throw new Error('throttled');
      await h.scheduler.schedule({ runId: s.runId, seq: s.seq + 1, dueAt: '2026-11-21T05:00:00.000Z' });
    });

    await h.scheduler.schedule({ runId: 'r1', seq: 1, dueAt: '2026-11-21T04:00:00.000Z' });
    await h.scheduler.idle();
    expect(h.scheduler.list()).toEqual([{ runId: 'r1', seq: 1, dueAt: '2026-11-21T04:00:01.000Z' }]);

    h.advance(1000);
    await h.scheduler.runDue();

    expect(calls).toBe(2);
    expect(h.scheduler.list()).toEqual([{ runId: 'r1', seq: 2, dueAt: '2026-11-21T05:00:00.000Z' }]);
  });
});
