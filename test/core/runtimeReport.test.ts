import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { buildRuntimeReport, buildStoredRunReport, type ReportEntry } from '../../src/core/runtimeReport.js';
import { readTagPolicy } from '../../src/core/tagPolicy.js';

const defaults = {
  mode: 'opt-in' as const,
  defaultGroup: 'all',
  defaultThresholdSeconds: 12 * HOUR,
  defaultRenotifySeconds: HOUR,
};
const entry = (
  id: string,
  launchTime: string,
  tags: Record<string, string>,
  record?: Partial<InstanceRecord>,
): ReportEntry => ({
  region: 'eu-west-1',
  instanceId: id,
  facts: { launchTime, state: 'running', tags },
  policy: readTagPolicy(tags, defaults),
  record: record
    ? ({ launchTime, extensionSeconds: 0, nagCount: 0, ...record } as InstanceRecord)
    : undefined,
});

const entries = [
  entry('i-short', '2026-03-02T08:00:00Z', { Monitor: 'true', Name: 'short', MonitorGroup: 'web' }),
  entry(
    'i-long',
    '2026-03-01T08:00:00Z',
    { Monitor: 'true', Name: 'long', Threshold: 'abc' },
    { undelivered: true, nagCount: 3 },
  ),
  entry('i-off', '2026-03-01T08:00:00Z', { Monitor: 'false' }),
];

describe('buildRuntimeReport', () => {
  it('lists monitored instances longest first, marking over-threshold and warnings', () => {
    const rows = buildRuntimeReport(entries, new Date('2026-03-02T10:00:00Z'));

    expect(rows.map((r) => [r.instanceId, r.runtimeSeconds, r.over])).toEqual([
      ['i-long', 26 * HOUR, true],
      ['i-short', 2 * HOUR, false],
    ]);
    expect(rows[0]).toMatchObject({
      name: 'long',
      thresholdSeconds: 12 * HOUR,
      nagCount: 3,
      undelivered: true,
      warnings: ['Threshold "abc" is not a duration; using 12h'],
    });
  });

  it('projects to a later time with --at and filters by group and over', () => {
    const at = new Date('2026-03-02T20:30:00Z');

    expect(buildRuntimeReport(entries, at, { overOnly: true }).map((r) => r.instanceId)).toEqual([
      'i-long',
      'i-short',
    ]);
    expect(buildRuntimeReport(entries, at, { group: 'web' }).map((r) => r.instanceId)).toEqual(['i-short']);
  });

  it('counts an extension of the current run in the threshold', () => {
    const extended = entry(
      'i-1',
      '2026-03-02T00:00:00Z',
      { Monitor: 'true' },
      { extensionSeconds: 2 * HOUR },
    );

    const [row] = buildRuntimeReport([extended], new Date('2026-03-02T13:00:00Z'));

    expect(row).toMatchObject({ thresholdSeconds: 14 * HOUR, over: false });
  });
});

describe('buildStoredRunReport (the rows of /ec2 list and the App Home)', () => {
  const stored = (id: string, launchTime: string, extra: Partial<InstanceRecord> = {}): InstanceRecord => ({
    region: 'eu-west-1',
    instanceId: id,
    launchTime,
    state: 'running',
    stateChangedAt: launchTime,
    tags: {},
    group: 'web',
    thresholdSeconds: 12 * HOUR,
    renotifySeconds: HOUR,
    extensionSeconds: 0,
    nagCount: 0,
    warnings: [],
    chatRefs: [],
    version: 1,
    ...extra,
  });
  const now = new Date('2026-03-02T12:00:00Z');
  const records = [
    stored('i-b', '2026-03-02T10:00:00Z', { snoozedUntil: '2026-03-02T11:00:00Z' }),
    stored('i-a', '2026-03-01T12:00:00Z', {
      extensionSeconds: 8 * HOUR,
      snoozedUntil: '2026-03-02T18:00:00Z',
    }),
    stored('i-c', '2026-03-01T20:00:00Z', { undelivered: true }),
  ];

  it('lists stored runs longest first, with the extension in the threshold and only snoozes in force', () => {
    const rows = buildStoredRunReport(records, now);

    expect(
      rows.map((r) => [r.instanceId, r.runtimeSeconds / HOUR, r.thresholdSeconds / HOUR, r.over]),
    ).toEqual([
      ['i-a', 24, 20, true],
      ['i-c', 16, 12, true],
      ['i-b', 2, 12, false],
    ]);
    expect(rows.map((r) => r.snoozedUntil)).toEqual(['2026-03-02T18:00:00Z', undefined, undefined]);
    expect(rows[1]).toMatchObject({ undelivered: true, consoleUrl: expect.stringContaining('i-c') });
  });

  it('keeps only runs at or over their threshold when asked', () => {
    expect(buildStoredRunReport(records, now, { overOnly: true }).map((r) => r.instanceId)).toEqual([
      'i-a',
      'i-c',
    ]);
  });
});
