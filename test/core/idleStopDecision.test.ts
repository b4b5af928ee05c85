import { describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/core/duration.js';
import { decideIdleStop } from '../../src/core/idleStopDecision.js';

const now = new Date('2026-03-02T18:00:00Z');

describe('decideIdleStop', () => {
  const idle = { idle: true, reason: 'idle for the whole 30m: CPU 0.4% avg · network 12 KB' };
  const busy = { idle: false, reason: 'CPU reached 37% (5-minute average, 5m ago)' };
  const noData = { idle: false, reason: 'no CPU data for the last 30m: not judged idle' };
  const consent = { forSeconds: 30 * MINUTE };
  const warned = { ...consent, warnedAt: '2026-03-02T17:50:00.000Z' };

  it('warns the first time the run is idle for the whole window', () => {
    expect(decideIdleStop(consent, idle, now, 10 * MINUTE)).toEqual({
      act: 'warn',
      reason: 'idle for the whole 30m: CPU 0.4% avg · network 12 KB; stopping in 10m unless cancelled',
    });
  });

  it('waits, with the reason, while the run is busy or cannot be judged', () => {
    expect(decideIdleStop(consent, busy, now, 10 * MINUTE)).toMatchObject({ act: 'wait' });
    expect(decideIdleStop(consent, noData, now, 10 * MINUTE)).toEqual({
      act: 'wait',
      reason: 'not idle yet: no CPU data for the last 30m: not judged idle',
    });
  });

  it('stops once the grace period after the warning is over and the run is still idle', () => {
    expect(decideIdleStop(warned, idle, new Date('2026-03-02T17:55:00Z'), 10 * MINUTE)).toEqual({
      act: 'wait',
      reason: 'warned; the grace period ends in 5m',
    });
    expect(decideIdleStop(warned, idle, now, 10 * MINUTE)).toMatchObject({ act: 'stop' });
  });

  it('calls the stop off when the run is busy again (or its data went missing) after the warning', () => {
    expect(decideIdleStop(warned, busy, now, 10 * MINUTE)).toMatchObject({ act: 'retract' });
    expect(decideIdleStop(warned, noData, now, 10 * MINUTE)).toMatchObject({ act: 'retract' });
  });
});
