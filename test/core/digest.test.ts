import { describe, expect, it } from 'vitest';
import { buildDigest, type OpenRun } from '../../src/core/digest.js';
import { costText } from '../../src/core/digestText.js';
import type { RunHistoryEntry } from '../../src/core/runHistory.js';

const H = 3600;
const SINCE = new Date('2026-11-16T00:00:00.000Z');
const UNTIL = new Date('2026-11-23T00:00:00.000Z');

/** A run from `launch` to `stop` against a `threshold`-hour threshold. */
function run(
  instanceId: string,
  launch: string,
  stop: string,
  over: Partial<RunHistoryEntry> & { threshold?: number } = {},
): RunHistoryEntry {
  const { threshold = 8, ...rest } = over;
  const runtime = (Date.parse(stop) - Date.parse(launch)) / 1000;
  return {
    region: 'eu-west-1',
    instanceId,
    launchTime: new Date(launch).toISOString(),
    stoppedAt: new Date(stop).toISOString(),
    endedBy: 'outside',
    group: 'render',
    thresholdSeconds: threshold * H,
    runtimeSeconds: runtime,
    secondsBeyondThreshold: Math.max(0, runtime - threshold * H),
    hourlyUsd: 2,
    ...rest,
  };
}

const digestOf = (runs: RunHistoryEntry[], open: OpenRun[] = [], timeZone = 'UTC') =>
  buildDigest({ since: SINCE, until: UNTIL, timeZone, runs, open });

describe('buildDigest', () => {
  it('counts the hours beyond threshold that fall in the window, and what they cost', () => {
    // Arrange: 12 h against 8 h; and a run whose threshold passed before the window began.
    const runs = [
      run('i-a', '2026-11-17T08:00:00Z', '2026-11-17T20:00:00Z', { owner: 'ana@example.com' }),
      run('i-b', '2026-11-15T12:00:00Z', '2026-11-16T06:00:00Z', { threshold: 2, hourlyUsd: 1 }),
    ];

    // Act
    const digest = digestOf(runs);

    // Assert
    expect(digest.overThreshold).toMatchObject([
      { instanceId: 'i-a', hoursBeyond: 4, cost: { usd: 8, unpricedHours: 0 }, owner: 'ana@example.com' },
      { instanceId: 'i-b', hoursBeyond: 6, cost: { usd: 6, unpricedHours: 0 } },
    ]);
    expect(digest.overThreshold[0]!.reason).toBe('1 run beyond its 8h threshold, 4h in all');
    expect(digest.totals).toMatchObject({ hoursBeyond: 10, cost: { usd: 14, unpricedHours: 0 } });
  });

  it('shows an unknown price as unknown, never as $0', () => {
    // Act
    const digest = digestOf([
      run('i-a', '2026-11-17T08:00:00Z', '2026-11-17T20:00:00Z', { hourlyUsd: null }),
    ]);

    // Assert
    expect(digest.overThreshold[0]!.cost).toEqual({ usd: null, unpricedHours: 4 });
    expect(costText(digest.overThreshold[0]!.cost)).toBe('unknown price');
    expect(costText(digest.totals.cost)).not.toContain('$0');
  });

  it('adds the known part of a cost and counts the unpriced hours apart', () => {
    const digest = digestOf([
      run('i-a', '2026-11-17T08:00:00Z', '2026-11-17T20:00:00Z'),
      run('i-a', '2026-11-18T08:00:00Z', '2026-11-18T18:00:00Z', { hourlyUsd: null }),
    ]);

    expect(digest.overThreshold).toMatchObject([
      { runs: 2, hoursBeyond: 6, cost: { usd: 8, unpricedHours: 2 } },
    ]);
    expect(costText(digest.overThreshold[0]!.cost)).toBe('$8.00 + 2.0 h at unknown price');
  });

  it('counts a run still up until the end of the window', () => {
    // Arrange
    const open: OpenRun = {
      region: 'eu-west-1',
      instanceId: 'i-up',
      launchTime: '2026-11-22T00:00:00.000Z',
      group: 'render',
      thresholdSeconds: 12 * H,
      hourlyUsd: 3,
    };

    // Act
    const digest = digestOf([], [open]);

    // Assert
    expect(digest.overThreshold).toMatchObject([
      { instanceId: 'i-up', hoursBeyond: 12, cost: { usd: 36 }, stillRunning: true },
    ]);
    expect(digest.overThreshold[0]!.reason).toContain('still running');
  });

  it('counts the cost a stop avoided until the next start, at most 24 h, at most to the end of the window', () => {
    // Arrange
    const by = { platform: 'slack' as const, id: 'U1', name: 'ana' };
    const runs = [
      // Stopped from Slack at 20:00, started again at 06:00: 10 h avoided.
      run('i-a', '2026-11-17T08:00:00Z', '2026-11-17T20:00:00Z', { endedBy: 'actor', actor: by }),
      run('i-a', '2026-11-18T06:00:00Z', '2026-11-18T10:00:00Z'),
      // Stopped from Teams and never started again: capped at 24 h.
      run('i-b', '2026-11-18T08:00:00Z', '2026-11-18T12:00:00Z', {
        endedBy: 'actor',
        actor: { platform: 'teams', id: 'aad-1' },
        hourlyUsd: 1,
      }),
      // Stopped 2 h before the window ends: 2 h so far.
      run('i-c', '2026-11-22T08:00:00Z', '2026-11-22T22:00:00Z', {
        endedBy: 'actor',
        actor: by,
        hourlyUsd: null,
      }),
      // Stopped outside Lights Out: no credit.
      run('i-d', '2026-11-19T08:00:00Z', '2026-11-19T12:00:00Z'),
    ];

    // Act
    const digest = digestOf(runs);

    // Assert
    expect(digest.stops.map((s) => [s.instanceId, s.avoidedHours, s.avoidedUsd])).toEqual([
      ['i-a', 10, 20],
      ['i-b', 24, 24],
      ['i-c', 2, null],
    ]);
    expect(digest.stops.map((s) => s.reason)).toEqual([
      'started again 10h later',
      'not started again for 1d (the most a stop counts)',
      'not started again in the 2h to the end of the digest',
    ]);
    expect(digest.totals.avoided).toEqual({ usd: 44, unpricedHours: 2 });
  });

  it('finds the next start in a run that stopped after the window', () => {
    // A stop on the last evening, and the next run, still recorded, stopping after `until`.
    const digest = buildDigest({
      since: SINCE,
      until: new Date('2026-11-24T00:00:00Z'),
      timeZone: 'UTC',
      runs: [
        run('i-a', '2026-11-23T08:00:00Z', '2026-11-23T18:00:00Z', {
          endedBy: 'actor',
          actor: { platform: 'cli', id: 'ana' },
        }),
        run('i-a', '2026-11-23T21:00:00Z', '2026-11-24T03:00:00Z'),
      ],
      open: [],
    });

    expect(digest.stops).toMatchObject([{ avoidedHours: 3 }]);
  });

  it('lists the top 5 by cost beyond threshold with their owners, and consented stops as such', () => {
    // Arrange: six instances, 1 to 6 h beyond; the sixth stopped with consent.
    const runs = [1, 2, 3, 4, 5, 6].map((n) =>
      run(`i-${n}`, '2026-11-18T00:00:00Z', `2026-11-18T${String(8 + n).padStart(2, '0')}:00:00Z`, {
        owner: `owner${n}@example.com`,
        ...(n === 6
          ? {
              endedBy: 'consented' as const,
              actor: { platform: 'slack' as const, id: 'U6' },
              consent: {
                kind: 'at' as const,
                by: { platform: 'slack' as const, id: 'U6' },
                givenAt: '2026-11-18T09:00:00.000Z',
              },
            }
          : {}),
      }),
    );

    // Act
    const digest = digestOf(runs);

    // Assert
    expect(digest.top.map((i) => [i.instanceId, i.owner])).toEqual([
      ['i-6', 'owner6@example.com'],
      ['i-5', 'owner5@example.com'],
      ['i-4', 'owner4@example.com'],
      ['i-3', 'owner3@example.com'],
      ['i-2', 'owner2@example.com'],
    ]);
    expect(digest.overThreshold).toHaveLength(6);
    expect(digest.consented).toMatchObject([{ instanceId: 'i-6', consent: { kind: 'at' } }]);
  });

  it('spreads the cost beyond threshold over the days of the channel time zone', () => {
    // Arrange: beyond threshold from 20:00 to 04:00 UTC; Berlin's day ends at 23:00 UTC.
    const runs = [run('i-a', '2026-11-17T12:00:00Z', '2026-11-18T04:00:00Z')];

    // Act
    const utc = digestOf(runs);
    const berlin = buildDigest({
      since: new Date('2026-11-15T23:00:00Z'),
      until: new Date('2026-11-22T23:00:00Z'),
      timeZone: 'Europe/Berlin',
      runs,
      open: [],
    });

    // Assert
    expect(utc.daily).toHaveLength(7);
    expect(utc.daily.filter((d) => d.hoursBeyond > 0).map((d) => [d.day, d.hoursBeyond, d.cost.usd])).toEqual(
      [
        ['2026-11-17', 4, 8],
        ['2026-11-18', 4, 8],
      ],
    );
    expect(berlin.daily.map((d) => d.day)).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ]);
    expect(berlin.daily.filter((d) => d.hoursBeyond > 0).map((d) => [d.day, d.hoursBeyond])).toEqual([
      ['2026-11-17', 3],
      ['2026-11-18', 5],
    ]);
  });

  it('reports an empty week as nothing beyond threshold, at $0 for hours that did not happen', () => {
    const digest = digestOf([]);

    expect(digest.overThreshold).toEqual([]);
    expect(digest.stops).toEqual([]);
    expect(digest.totals).toEqual({
      hoursBeyond: 0,
      cost: { usd: null, unpricedHours: 0 },
      avoided: { usd: null, unpricedHours: 0 },
      stops: 0,
    });
    expect(digest.daily.every((d) => d.hoursBeyond === 0)).toBe(true);
  });
});
