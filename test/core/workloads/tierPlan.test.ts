import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../../src/core/workloads/planText.js';
import { newRun } from '../../../src/core/workloads/run.js';
import { renderRun } from '../../../src/core/workloads/runText.js';
import type { WorkloadSpec } from '../../../src/core/workloads/spec.js';
import { type PlanInstance, planWorkload } from '../../../src/core/workloads/tierPlan.js';

const spec: WorkloadSpec = {
  name: 'shop',
  region: 'us-west-2',
  workloadTag: { key: 'Environment', value: 'ENV001' },
  tierTagKey: 'Role',
  disabled: false,
  scaleInstanceDelaySeconds: 0,
  tiers: [
    {
      name: 'web',
      start: { sequence: 2, synchronous: false, delaySeconds: 0 },
      stop: {
        sequence: 0,
        synchronous: false,
        delaySeconds: 10,
        override: { filename: '/tmp/StopOverride', os: 'Linux' },
      },
      scaling: { big: 'm5.large' },
    },
    {
      name: 'app',
      start: { sequence: 1, synchronous: true, delaySeconds: 5 },
      stop: { sequence: 1, synchronous: true, delaySeconds: 0 },
      scaling: {},
    },
    {
      name: 'db',
      start: { sequence: 0, synchronous: true, delaySeconds: 0 },
      stop: { sequence: 2, synchronous: true, delaySeconds: 60 },
      scaling: { big: 'r5.large' },
    },
  ],
};

const inst = (
  id: string,
  tier: string,
  state: PlanInstance['state'],
  extra: Partial<PlanInstance> = {},
): PlanInstance => ({
  instanceId: id,
  state,
  instanceType: 't3.micro',
  vpcId: 'vpc-1',
  ...extra,
  tags: { Environment: 'ENV001', Role: tier, ...extra.tags },
});

describe('planWorkload', () => {
  it('orders tiers by the stop sequence and by the start sequence independently', () => {
    const fleet = [
      inst('i-web', 'web', 'running'),
      inst('i-app', 'app', 'running'),
      inst('i-db', 'db', 'running'),
    ];

    const stop = planWorkload(spec, 'stop', fleet);
    const start = planWorkload(spec, 'start', fleet);

    expect(stop.tiers.map((t) => t.tier)).toEqual(['web', 'app', 'db']);
    expect(start.tiers.map((t) => t.tier)).toEqual(['db', 'app', 'web']);
    expect(stop.tiers.map((t) => t.delayAfterSeconds)).toEqual([10, 0, 0]);
  });

  it('finds instances by workload tag, tier tag and VPC', () => {
    const fleet = [
      inst('i-in', 'web', 'running'),
      inst('i-other-vpc', 'web', 'running', { vpcId: 'vpc-2' }),
      inst('i-other-env', 'web', 'running', { tags: { Environment: 'ENV002' } }),
      inst('i-no-tier', 'cache', 'running'),
    ];

    const plan = planWorkload({ ...spec, vpcId: 'vpc-1' }, 'stop', fleet);

    expect(plan.tiers[0]?.instances.map((i) => i.instanceId)).toEqual(['i-in']);
    expect(plan.warnings).toEqual([
      'i-no-tier belongs to the workload but its Role tag ("cache") names no tier; left alone',
    ]);
  });

  it('bypasses by tag and by override file, and holds unreachable instances (fail-safe)', () => {
    const fleet = [
      inst('i-1', 'web', 'running', { tags: { LightsOutBypass: 'True' } }),
      inst('i-2', 'web', 'running'),
      inst('i-3', 'web', 'running'),
      inst('i-4', 'web', 'running'),
    ];
    const overrides = new Map([
      ['i-2', { status: 'present' as const }],
      ['i-3', { status: 'unreachable' as const, detail: 'not managed by SSM' }],
      ['i-4', { status: 'absent' as const }],
    ]);

    const safe = planWorkload(spec, 'stop', fleet, { overrides });
    const unsafe = planWorkload(spec, 'stop', fleet, { overrides, failSafe: false });

    expect(safe.tiers[0]?.instances.map((i) => [i.instanceId, i.step, i.reason])).toEqual([
      ['i-1', 'bypass', 'LightsOutBypass=true tag'],
      ['i-2', 'bypass', 'override file /tmp/StopOverride present'],
      ['i-3', 'hold', 'SSM could not check /tmp/StopOverride (not managed by SSM); not stopped (fail-safe)'],
      ['i-4', 'act', 'running → stop'],
    ]);
    expect(unsafe.tiers[0]?.instances[2]?.step).toBe('act');
  });

  it('makes a tier already in the target state a no-op with a reason', () => {
    const plan = planWorkload(spec, 'stop', [
      inst('i-web', 'web', 'stopped'),
      inst('i-app', 'app', 'stopping'),
    ]);

    expect(plan.tiers.map((t) => t.noop)).toEqual([
      'nothing to stop: 1 already stopped',
      'nothing to stop: 1 already stopped',
      'no instances tagged Environment=ENV001 and Role=db',
    ]);
  });

  it('resizes stopped instances from the chosen profile before start', () => {
    const fleet = [
      inst('i-web', 'web', 'stopped'),
      inst('i-db', 'db', 'running'),
      inst('i-app', 'app', 'stopped'),
    ];

    const plan = planWorkload(spec, 'start', fleet, { profile: 'big' });

    expect(
      plan.tiers.flatMap((t) => t.instances).map((i) => [i.instanceId, i.step, i.resizeTo, i.reason]),
    ).toEqual([
      [
        'i-db',
        'unchanged',
        undefined,
        'already running; stays t3.micro (profile "big" wants r5.large: stop it first to resize)',
      ],
      ['i-app', 'act', undefined, 'stopped → start at its current size (tier has no "big" profile)'],
      ['i-web', 'act', 'm5.large', 'resize t3.micro → m5.large, then start'],
    ]);
    expect(plan.warnings).toEqual([
      'tier "app" has no "big" profile; it starts at its current size (no resize)',
    ]);
  });

  it('starts every tier without the profile at its current size, as AWS_EC2_Scheduler does', () => {
    // AWS_EC2_Scheduler's README example: `--profile performant`, which no tier defines here.
    const fleet = [
      inst('i-web', 'web', 'stopped'),
      inst('i-app', 'app', 'stopped'),
      inst('i-db', 'db', 'stopped'),
    ];

    const plan = planWorkload(spec, 'start', fleet, { profile: 'performant' });

    expect(plan.refused).toBeUndefined();
    expect(
      plan.tiers.flatMap((t) => t.instances).map((i) => [i.instanceId, i.step, i.resizeTo, i.reason]),
    ).toEqual([
      ['i-db', 'act', undefined, 'stopped → start at its current size (tier has no "performant" profile)'],
      ['i-app', 'act', undefined, 'stopped → start at its current size (tier has no "performant" profile)'],
      ['i-web', 'act', undefined, 'stopped → start at its current size (tier has no "performant" profile)'],
    ]);
    expect(plan.warnings).toEqual([
      'tier "db" has no "performant" profile; it starts at its current size (no resize)',
      'tier "app" has no "performant" profile; it starts at its current size (no resize)',
      'tier "web" has no "performant" profile; it starts at its current size (no resize)',
      'no tier defines profile "performant" (known profiles: big); check the spelling if a resize was meant',
    ]);
    const text = renderPlan(plan, { dryRun: true });
    expect(text).not.toContain('Refused');
    expect(text).toContain('Total: 3 instances to start across 3 tiers');
    expect(text).toContain(
      '  - tier "app" has no "performant" profile; it starts at its current size (no resize)',
    );
  });

  it('refuses a disabled workload and a profile on stop', () => {
    expect(planWorkload({ ...spec, disabled: true }, 'stop', []).refused).toBe(
      'DisableAllSchedulingActions is "1" for workload "shop": every start and stop is refused. Set it to "0" to allow runs.',
    );
    expect(planWorkload(spec, 'stop', [], { profile: 'big' }).refused).toBe(
      '--profile applies to start only; stop "shop" without it',
    );
  });

  it('renders a dry run', () => {
    const plan = planWorkload(spec, 'stop', [inst('i-web', 'web', 'running', { tags: { Name: 'web-1' } })]);

    const text = renderPlan(plan, { dryRun: true });

    expect(text.split('\n')).toEqual([
      'Dry run: stop workload "shop" in us-west-2 (nothing will change)',
      '1. web (stop sequence 0; does not wait; then 10s before the next tier; SSM checks /tmp/StopOverride (Linux) first)',
      '   → i-web web-1: running → stop',
      '2. app (stop sequence 1; waits for every instance)',
      '   no-op: no instances tagged Environment=ENV001 and Role=app',
      '3. db (stop sequence 2; waits for every instance)',
      '   no-op: no instances tagged Environment=ENV001 and Role=db',
      'Total: 1 instance to stop across 3 tiers',
    ]);
  });
});

describe('renderRun', () => {
  it('rounds the time to the next step up, so a step due in under a second does not read "in 0m"', () => {
    const now = new Date('2026-03-02T18:00:00.000Z');
    const plan = planWorkload(spec, 'stop', [inst('i-1', 'web', 'running')]);
    const run = newRun(plan, spec, { runId: 'r1', requestedBy: 'cli:alice', now });
    run.next = { kind: 'tier', tierIndex: 1, dueAt: '2026-03-02T18:00:00.400Z', seq: 2 };

    const lines = renderRun(run, now);

    expect(lines).toContain('… next step in 1s');
  });
});
