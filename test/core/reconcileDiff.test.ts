import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { diffRegion, type ObservedInstance } from '../../src/core/reconcileDiff.js';
import { readTagPolicy } from '../../src/core/tagPolicy.js';

const defaults = {
  mode: 'opt-in' as const,
  defaultGroup: 'all',
  defaultThresholdSeconds: 12 * HOUR,
  defaultRenotifySeconds: HOUR,
};
const LAUNCH = '2026-03-02T08:00:00.000Z';
const NOW = new Date('2026-03-02T09:00:00Z');
const seen = (
  id: string,
  tags: Record<string, string> = { Monitor: 'true' },
  launchTime = LAUNCH,
): ObservedInstance => ({
  instanceId: id,
  facts: { launchTime, state: 'running', tags },
  policy: readTagPolicy(tags, defaults),
});
const record = (id: string, over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  region: 'eu-west-1',
  instanceId: id,
  launchTime: LAUNCH,
  state: 'running',
  stateChangedAt: LAUNCH,
  tags: { Monitor: 'true' },
  group: 'all',
  thresholdSeconds: 12 * HOUR,
  renotifySeconds: HOUR,
  extensionSeconds: 0,
  nextNagAt: '2026-03-02T20:00:00.000Z',
  nagCount: 0,
  warnings: [],
  chatRefs: [],
  version: 1,
  ...over,
});
const schedule = (id: string, dueAt = '2026-03-02T20:00:00.000Z', launchTime = LAUNCH) => ({
  instanceId: id,
  launchTime,
  dueAt,
});

describe('diffRegion', () => {
  it('finds nothing to repair when fleet, records and schedules agree', () => {
    expect(
      diffRegion({
        running: [seen('i-1')],
        records: [record('i-1')],
        schedules: [schedule('i-1')],
        now: NOW,
      }),
    ).toEqual([]);
  });

  it('tracks a running monitored instance with no record', () => {
    const repairs = diffRegion({ running: [seen('i-1')], records: [], schedules: [], now: NOW });

    expect(repairs).toEqual([{ kind: 'track', instanceId: 'i-1', reason: 'running with no record' }]);
  });

  it('tracks a new run of an instance the record knows from an earlier run', () => {
    const repairs = diffRegion({
      running: [seen('i-1', { Monitor: 'true' }, '2026-03-02T08:30:00.000Z')],
      records: [record('i-1', { state: 'stopped' })],
      schedules: [],
      now: NOW,
    });

    expect(repairs.map((r) => r.kind)).toEqual(['track']);
  });

  it('recreates a schedule deleted by hand at the recorded due time', () => {
    const repairs = diffRegion({ running: [seen('i-1')], records: [record('i-1')], schedules: [], now: NOW });

    expect(repairs).toEqual([
      {
        kind: 'schedule',
        instanceId: 'i-1',
        launchTime: LAUNCH,
        dueAt: '2026-03-02T20:00:00.000Z',
        reason: 'schedule missing (deleted by hand?); recreated for 2026-03-02T20:00:00.000Z',
      },
    ]);
  });

  it('moves the schedule when a Threshold tag changed since the record was written', () => {
    const repairs = diffRegion({
      running: [seen('i-1', { Monitor: 'true', Threshold: '4' })],
      records: [record('i-1')],
      schedules: [schedule('i-1')],
      now: NOW,
    });

    expect(repairs).toHaveLength(1);
    expect(repairs[0]).toMatchObject({ kind: 'schedule', dueAt: '2026-03-02T12:00:00.000Z' });
    expect(repairs[0]?.kind === 'schedule' && repairs[0].record?.thresholdSeconds).toBe(4 * HOUR);
  });

  it('observes records that are live but not among running instances, and cancels orphan schedules', () => {
    const repairs = diffRegion({
      running: [],
      records: [record('i-1'), record('i-2', { state: 'stopped', nextNagAt: undefined })],
      schedules: [schedule('i-1'), schedule('i-9')],
      now: NOW,
    });

    expect(repairs.map((r) => [r.kind, r.instanceId])).toEqual([
      ['observe', 'i-1'],
      ['observe', 'i-2'],
      ['cancel', 'i-9'],
    ]);
  });

  it('leaves stopped records alone when terminations arrive as events', () => {
    const repairs = diffRegion({
      running: [],
      records: [record('i-2', { state: 'stopped', nextNagAt: undefined })],
      schedules: [],
      now: NOW,
      observeStopped: false,
    });

    expect(repairs).toEqual([]);
  });

  it('untracks an instance whose Monitor tag is now false', () => {
    const repairs = diffRegion({
      running: [seen('i-1', { Monitor: 'false' })],
      records: [record('i-1')],
      schedules: [schedule('i-1')],
      now: NOW,
    });

    expect(repairs).toEqual([
      { kind: 'untrack', instanceId: 'i-1', reason: 'no longer monitored: Monitor=false' },
    ]);
  });

  it('purges tombstones past their expiry and keeps fresh ones', () => {
    const repairs = diffRegion({
      running: [],
      records: [
        record('i-1', { state: 'terminated', expiresAt: '2026-03-02T08:59:00.000Z' }),
        record('i-2', { state: 'terminated', expiresAt: '2026-03-03T08:59:00.000Z' }),
      ],
      schedules: [],
      now: NOW,
    });

    expect(repairs.map((r) => [r.kind, r.instanceId])).toEqual([['purge', 'i-1']]);
  });
});
