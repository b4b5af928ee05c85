import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/duration.js';
import {
  DEFAULT_IDLE_THRESHOLDS,
  evidenceText,
  formatBytes,
  type InstanceMetricSeries,
  judgeIdle,
  type MetricPoint,
  metricPeriodSeconds,
  metricsWindow,
  summarizeEvidence,
} from '../../src/core/idle.js';

const now = new Date('2026-03-02T18:00:00Z');

/** One point per period from `fromMinutesAgo` up to `toMinutesAgo`, each `value(i)`. */
function series(
  fromMinutesAgo: number,
  toMinutesAgo: number,
  value: (i: number) => number,
  period = 5 * MINUTE,
): MetricPoint[] {
  const out: MetricPoint[] = [];
  let i = 0;
  for (let m = fromMinutesAgo; m >= toMinutesAgo; m -= period / MINUTE) {
    out.push({ at: new Date(now.getTime() - m * 60_000).toISOString(), value: value(i++) });
  }
  return out;
}

const quiet = (overrides: Partial<InstanceMetricSeries> = {}): InstanceMetricSeries => ({
  periodSeconds: 5 * MINUTE,
  cpu: series(35, 5, () => 0.4),
  networkIn: series(35, 5, () => 1_000),
  networkOut: series(35, 5, () => 1_000),
  ...overrides,
});

describe('judgeIdle', () => {
  it('is idle when every metric stays below its threshold for the whole window, and says so with the figures', () => {
    const verdict = judgeIdle(quiet(), 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(true);
    expect(verdict.reason).toBe('idle for the whole 30m: CPU 0.4% avg · network 12 KB');
  });

  it('is not idle when one CPU period reaches the threshold, and names the figure and the rule', () => {
    const busy = quiet({ cpu: series(35, 5, (i) => (i === 3 ? 37.2 : 0.4)) });

    const verdict = judgeIdle(busy, 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toBe(
      'CPU reached 37% (5-minute average, 20m ago); idle needs below 5% for the whole 30m',
    );
  });

  it('adds NetworkIn and NetworkOut per period against the per-5-minutes threshold', () => {
    // 600 KB in + 600 KB out in one period: each side is under 1 MB, together they are not.
    const busy = quiet({
      networkIn: series(35, 5, (i) => (i === 2 ? 600_000 : 1_000)),
      networkOut: series(35, 5, (i) => (i === 2 ? 600_000 : 1_000)),
    });

    const verdict = judgeIdle(busy, 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toContain('network reached 1.2 MB in 5m');
  });

  it('scales 1-minute network periods to the per-5-minutes threshold (detailed monitoring)', () => {
    const oneMinute = (v: number) => series(31, 1, () => v, MINUTE);
    const detailed = (perMinute: number): InstanceMetricSeries => ({
      periodSeconds: MINUTE,
      cpu: oneMinute(1),
      networkIn: oneMinute(perMinute),
      networkOut: [],
    });

    // 250 KB a minute is 1.25 MB per 5 minutes: busy; 150 KB a minute is 750 KB: idle.
    expect(judgeIdle(detailed(250_000), 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now).idle).toBe(false);
    expect(judgeIdle(detailed(150_000), 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now).idle).toBe(true);
  });

  it('takes the busiest GPU: one busy GPU of two is a busy instance', () => {
    const gpus = [series(35, 5, () => 0), series(35, 5, (i) => (i === 4 ? 80 : 1))];

    const verdict = judgeIdle(quiet({ gpus }), 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toBe('GPU reached 80% (15m ago); idle needs below 5% for the whole 30m');
  });

  it('is not idle without CPU data, and says why instead of guessing', () => {
    const verdict = judgeIdle(quiet({ cpu: [] }), 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toMatch(
      /^no CPU data for the last 30m: not judged idle \(with detailed monitoring off/,
    );
  });

  it('is not idle when the agent reports a GPU but sent nothing in the window', () => {
    const verdict = judgeIdle(quiet({ gpus: [[]] }), 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toContain('no GPU data for the last 30m');
    expect(verdict.reason).toContain('is the agent running?');
  });

  it('is not idle for the whole window when the data starts inside it (a young run)', () => {
    const young = quiet({ cpu: series(15, 5, () => 0.1), networkIn: series(15, 5, () => 10) });

    const verdict = judgeIdle(young, 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toBe(
      'CPU data covers only the last 15m of the 30m window: not idle for the whole window yet',
    );
  });

  it('cannot judge when CloudWatch has sent nothing recent', () => {
    const stale = quiet({ cpu: series(60, 25, () => 0.1) });

    const verdict = judgeIdle(stale, 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now);

    expect(verdict.idle).toBe(false);
    expect(verdict.reason).toBe(
      "no CPU data for the last 25m: CloudWatch is late, so idleness can't be judged",
    );
  });

  it('uses the configured thresholds', () => {
    const strict = { ...DEFAULT_IDLE_THRESHOLDS, cpuPercent: 0.3 };

    expect(judgeIdle(quiet(), 30 * MINUTE, strict, now).idle).toBe(false);
  });
});

describe('the evidence line', () => {
  it('reads like the example: CPU average over the window, network total, GPU when reported', () => {
    const e = summarizeEvidence(
      {
        periodSeconds: 5 * MINUTE,
        cpu: series(120, 5, () => 0.4),
        networkIn: series(120, 5, () => 300),
        networkOut: series(120, 5, () => 200),
      },
      2 * HOUR,
      now,
    );

    expect(evidenceText(e)).toBe('CPU 0.4% avg over the last 2h · network 12 KB');
    expect(evidenceText({ ...e, gpuReported: true, gpuAvgPercent: 63 })).toBe(
      'CPU 0.4% avg over the last 2h · network 12 KB · GPU 63% avg',
    );
  });

  it('says when CloudWatch has nothing, or names the missing GPU data', () => {
    const none = summarizeEvidence(quiet({ cpu: [], networkIn: [], networkOut: [] }), HOUR, now);
    const noGpu = summarizeEvidence(quiet({ gpus: [[]] }), HOUR, now);

    expect(evidenceText(none)).toBe('no CloudWatch data for the last 1h');
    expect(evidenceText(noGpu)).toBe('CPU 0.4% avg over the last 1h · network 14 KB · no GPU data');
  });

  it('formats bytes in decimal units, as the thresholds are written', () => {
    expect([0, 512, 12_000, 1_400_000, 25_000_000, 3e9].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '12 KB',
      '1.4 MB',
      '25 MB',
      '3 GB',
    ]);
  });
});

describe('periods and windows', () => {
  it('uses 5-minute periods unless detailed monitoring is on', () => {
    expect(metricPeriodSeconds(false)).toBe(300);
    expect(metricPeriodSeconds(undefined)).toBe(300);
    expect(metricPeriodSeconds(true)).toBe(60);
  });

  it('aligns the query window to whole periods around now', () => {
    const at = new Date('2026-03-02T18:03:20Z');

    expect(metricsWindow(30 * MINUTE, 300, at)).toEqual({
      start: new Date('2026-03-02T17:30:00Z'),
      end: new Date('2026-03-02T18:05:00Z'),
    });
  });
});
