import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { applyStateChange, type InstanceFacts, type LifecycleOutcome } from '../../src/core/runLifecycle.js';
import { readTagPolicy } from '../../src/core/tagPolicy.js';

const defaults = {
  mode: 'opt-in' as const,
  defaultGroup: 'all',
  defaultThresholdSeconds: 12 * HOUR,
  defaultRenotifySeconds: HOUR,
};
const LAUNCH = '2026-03-02T08:00:00.000Z';
const facts = (over: Partial<InstanceFacts> = {}): InstanceFacts => ({
  launchTime: LAUNCH,
  state: 'running',
  instanceType: 't3.micro',
  privateIp: '10.0.0.5',
  tags: { Monitor: 'true', Name: 'web-1', Threshold: '2' },
  ...over,
});
const opts = { now: new Date('2026-03-02T12:00:00Z'), tombstoneTtlSeconds: 24 * HOUR };
const policyOf = (f: InstanceFacts) => readTagPolicy(f.tags, defaults);

function apply(
  existing: InstanceRecord | undefined,
  state: InstanceRecord['state'],
  at: string,
  f = facts(),
) {
  return applyStateChange(
    existing,
    { region: 'eu-west-1', instanceId: 'i-1', state, at, facts: f },
    policyOf(f),
    opts,
  );
}
function recordOf(outcome: LifecycleOutcome): InstanceRecord {
  if (outcome.kind !== 'update') throw new Error(`expected update, got ${outcome.kind}: ${outcome.reason}`);
  return { ...outcome.record, version: outcome.record.version + 1 };
}

describe('applyStateChange', () => {
  it('creates a record on running and plans the first nag at launch + threshold', () => {
    const outcome = apply(undefined, 'running', '2026-03-02T08:00:30Z');

    expect(outcome).toMatchObject({ kind: 'update', schedule: 'set' });
    const record = recordOf(outcome);
    expect(record).toMatchObject({
      state: 'running',
      name: 'web-1',
      thresholdSeconds: 2 * HOUR,
      nextNagAt: '2026-03-02T10:00:00.000Z',
      nagCount: 0,
    });
  });

  it('ignores a duplicate running event', () => {
    const record = recordOf(apply(undefined, 'running', '2026-03-02T08:00:30Z'));

    expect(apply(record, 'running', '2026-03-02T08:00:30Z').kind).toBe('ignore');
  });

  it('stops a run once and reports its runtime', () => {
    const running = recordOf(apply(undefined, 'running', '2026-03-02T08:00:30Z'));

    const stopping = apply(running, 'stopping', '2026-03-02T11:00:00Z');
    const stopped = apply(recordOf(stopping), 'stopped', '2026-03-02T11:01:00Z');

    expect(stopping).toMatchObject({
      kind: 'update',
      schedule: 'cancel',
      event: { type: 'instance.stopped', runtimeSeconds: 3 * HOUR },
    });
    expect(stopped).toMatchObject({ kind: 'update', schedule: 'cancel', event: undefined });
    expect(recordOf(stopped).nextNagAt).toBeUndefined();
  });

  it('keeps a stopped run stopped when its running event arrives late', () => {
    const stopped = recordOf(
      apply(undefined, 'stopped', '2026-03-02T11:00:00Z', facts({ state: 'stopped' })),
    );

    const late = apply(stopped, 'running', '2026-03-02T08:00:30Z');

    expect(late.kind).toBe('ignore');
    expect(stopped.state).toBe('stopped');
  });

  it('starts a new run on a later launch time, resetting nags, snooze and extension', () => {
    const old = {
      ...recordOf(apply(undefined, 'stopped', '2026-03-02T11:00:00Z')),
      nagCount: 3,
      extensionSeconds: HOUR,
      snoozedUntil: '2026-03-02T13:00:00Z',
    };

    const next = apply(
      old,
      'running',
      '2026-03-02T12:00:10Z',
      facts({ launchTime: '2026-03-02T12:00:00.000Z' }),
    );

    expect(recordOf(next)).toMatchObject({
      launchTime: '2026-03-02T12:00:00.000Z',
      state: 'running',
      nagCount: 0,
      extensionSeconds: 0,
      nextNagAt: '2026-03-02T14:00:00.000Z',
    });
    expect(recordOf(next).snoozedUntil).toBeUndefined();
  });

  it('ignores an event of an earlier run', () => {
    const current = recordOf(
      apply(undefined, 'running', '2026-03-02T12:00:10Z', facts({ launchTime: '2026-03-02T12:00:00.000Z' })),
    );

    expect(apply(current, 'stopped', '2026-03-02T11:00:00Z').kind).toBe('ignore');
  });

  it('tombstones a terminated instance, keeping the IPs EC2 no longer reports', () => {
    const running = recordOf(apply(undefined, 'running', '2026-03-02T08:00:30Z'));

    const outcome = apply(
      running,
      'terminated',
      '2026-03-02T12:00:00Z',
      facts({ privateIp: undefined, state: 'terminated' }),
    );

    expect(outcome).toMatchObject({
      kind: 'update',
      schedule: 'cancel',
      event: { type: 'instance.terminated', runtimeSeconds: 4 * HOUR },
    });
    expect(recordOf(outcome)).toMatchObject({
      privateIp: '10.0.0.5',
      expiresAt: '2026-03-03T12:00:00.000Z',
      tags: { Name: 'web-1' },
    });
  });

  it('emits terminated once across shutting-down and terminated', () => {
    const running = recordOf(apply(undefined, 'running', '2026-03-02T08:00:30Z'));
    const shutting = recordOf(apply(running, 'shutting-down', '2026-03-02T12:00:00Z'));

    expect(apply(shutting, 'terminated', '2026-03-02T12:01:00Z')).toMatchObject({
      kind: 'update',
      event: undefined,
    });
  });

  it('ignores the same ending state seen again later, keeping the time and runtime of the stop', () => {
    const running = recordOf(apply(undefined, 'running', '2026-03-02T08:00:30Z'));
    const stopped = recordOf(apply(running, 'stopped', '2026-03-02T09:00:00Z'));

    expect(apply(stopped, 'stopped', '2026-03-02T09:00:31Z').kind).toBe('ignore');
    expect(stopped.lastStop).toEqual({ at: '2026-03-02T09:00:00Z', runtimeSeconds: 3600 });
    const terminated = apply(stopped, 'terminated', '2026-03-02T15:00:00Z');
    expect(terminated).toMatchObject({ kind: 'update', event: { runtimeSeconds: 3600 } });
  });

  it('untracks an instance whose Monitor tag was removed', () => {
    const running = recordOf(apply(undefined, 'running', '2026-03-02T08:00:30Z'));

    const outcome = apply(running, 'running', '2026-03-02T09:00:00Z', facts({ tags: { Monitor: 'false' } }));

    expect(outcome.kind).toBe('untrack');
  });

  it('ignores instances that are not monitored', () => {
    expect(apply(undefined, 'running', '2026-03-02T08:00:30Z', facts({ tags: {} })).kind).toBe('ignore');
  });
});
