import { describe, expect, it } from 'vitest';
import { assessHealth, type HealthInput } from '../../src/core/health.js';

const now = new Date('2026-11-20T12:00:00.000Z');
const base: HealthInput = {
  lastSweep: { at: '2026-11-20T11:58:00.000Z', ok: true },
  lastGoodSweepAt: '2026-11-20T11:58:00.000Z',
  outbox: { depth: 0, failed: 0 },
  maxSweepAgeSeconds: 900,
  maxBacklogAgeSeconds: 600,
};

describe('assessHealth', () => {
  it('is ready after a recent good sweep with nothing waiting', () => {
    expect(assessHealth(base, now)).toMatchObject({
      ready: true,
      reasons: [],
      outbox: { oldestUndelivered: null },
    });
  });

  it('is not ready before the first sweep, or when the last sweep failed', () => {
    const none = assessHealth({ ...base, lastSweep: undefined, lastGoodSweepAt: undefined }, now);
    const failed = assessHealth(
      {
        ...base,
        lastSweep: { at: '2026-11-20T11:59:00.000Z', ok: false, error: 'DescribeInstances timed out' },
      },
      now,
    );

    expect(none).toMatchObject({ ready: false, reasons: ['no sweep has finished yet'] });
    expect(failed.reasons).toEqual(['the last sweep failed: DescribeInstances timed out']);
  });

  it('is not ready when the last good sweep or the oldest undelivered event is too old', () => {
    const report = assessHealth(
      {
        ...base,
        lastGoodSweepAt: '2026-11-20T11:40:00.000Z',
        outbox: {
          depth: 2,
          failed: 0,
          oldestPending: {
            id: 'x',
            type: 'instance.stopped',
            instance: 'us-east-1/i-0abc',
            createdAt: '2026-11-20T11:45:00.000Z',
            attempts: 3,
          },
        },
      },
      now,
    );

    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual([
      'the last successful sweep was 1200 s ago (limit 900 s)',
      'an event has waited 900 s for delivery (limit 600 s)',
    ]);
    expect(report.outbox.oldestUndelivered).toMatchObject({ ageSeconds: 900, attempts: 3 });
  });
});
