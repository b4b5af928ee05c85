import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/duration.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { evaluateNag } from '../../src/core/nagDecision.js';

const LAUNCH = '2026-03-02T08:00:00.000Z';
const monitored = { monitored: true, reason: 'Monitor=true' };
const record = (over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  region: 'eu-west-1',
  instanceId: 'i-1',
  launchTime: LAUNCH,
  state: 'running',
  stateChangedAt: LAUNCH,
  tags: {},
  group: 'all',
  thresholdSeconds: 2 * HOUR,
  renotifySeconds: HOUR,
  extensionSeconds: 0,
  nagCount: 0,
  warnings: [],
  chatRefs: [],
  version: 1,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('evaluateNag', () => {
  it('nags past the threshold and plans the next at now + renotify', () => {
    const decision = evaluateNag(record(), monitored, { launchTime: LAUNCH }, at('2026-03-02T10:00:00Z'));

    expect(decision).toEqual({
      action: 'nag',
      nextCheckAt: at('2026-03-02T11:00:00Z'),
      reason: 'running 2h, over its 2h threshold',
    });
  });

  it('drops a schedule of an earlier run or a stopped instance', () => {
    const now = at('2026-03-02T10:00:00Z');

    expect(evaluateNag(record(), monitored, { launchTime: '2026-03-01T08:00:00Z' }, now).action).toBe('drop');
    expect(evaluateNag(record({ state: 'stopped' }), monitored, { launchTime: LAUNCH }, now)).toMatchObject({
      action: 'drop',
      reason: 'instance is stopped',
    });
    expect(evaluateNag(undefined, monitored, { launchTime: LAUNCH }, now).action).toBe('drop');
    expect(
      evaluateNag(record(), { monitored: false, reason: 'Monitor=false' }, { launchTime: LAUNCH }, now),
    ).toMatchObject({
      action: 'drop',
      reason: 'no longer monitored: Monitor=false',
    });
  });

  it('reschedules to the end of a snooze', () => {
    const decision = evaluateNag(
      record({ snoozedUntil: '2026-03-02T14:00:00.000Z' }),
      monitored,
      { launchTime: LAUNCH },
      at('2026-03-02T10:00:00Z'),
    );

    expect(decision).toEqual({
      action: 'reschedule',
      nextCheckAt: at('2026-03-02T14:00:00Z'),
      reason: 'snoozed until 2026-03-02T14:00:00.000Z',
    });
  });

  it('reschedules to the extended threshold', () => {
    const decision = evaluateNag(
      record({ extensionSeconds: 3 * HOUR }),
      monitored,
      { launchTime: LAUNCH },
      at('2026-03-02T10:00:00Z'),
    );

    expect(decision.action).toBe('reschedule');
    expect(decision.nextCheckAt).toEqual(at('2026-03-02T13:00:00Z'));
    expect(decision.reason).toContain('extended by 3h');
  });

  it('reschedules when a raised Threshold tag has not been reached yet', () => {
    const decision = evaluateNag(
      record({ thresholdSeconds: 6 * HOUR }),
      monitored,
      { launchTime: LAUNCH },
      at('2026-03-02T10:00:00Z'),
    );

    expect(decision).toMatchObject({ action: 'reschedule', nextCheckAt: at('2026-03-02T14:00:00Z') });
  });

  it('does not nag twice for one due time (a duplicate firing)', () => {
    const nagged = record({ nagCount: 1, lastNagAt: '2026-03-02T10:00:00.000Z' });

    const decision = evaluateNag(nagged, monitored, { launchTime: LAUNCH }, at('2026-03-02T10:00:05Z'));

    expect(decision).toMatchObject({ action: 'reschedule', nextCheckAt: at('2026-03-02T11:00:00Z') });
  });

  it('treats a firing within a minute of the due time as due', () => {
    const decision = evaluateNag(record(), monitored, { launchTime: LAUNCH }, at('2026-03-02T09:59:30Z'));

    expect(decision.action).toBe('nag');
    expect(decision.nextCheckAt).toEqual(new Date(Date.parse('2026-03-02T09:59:30Z') + 60 * MINUTE * 1000));
  });
});
