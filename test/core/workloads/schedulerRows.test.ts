import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { specsFromOrchestratorRows } from '../../../src/core/workloads/schedulerRows.js';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/workload-specs/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

const workloadRow = fixture('workload-specification.json');
const webLinux = fixture('tier-specification-linux.json');
const webWindows = fixture('tier-specification-windows.json');
// docs/workloads.md's other tiers: Role_App start/stop 1/1, Role_DB 0/2, same shape.
const appRow = {
  SpecName: 'BotoTestCase1',
  TierTagValue: 'Role_App',
  TierStart: { TierSequence: '1', TierSynchronization: 'True' },
  TierStop: { TierSequence: '1', TierSynchronization: 'True' },
};
const dbRow = {
  SpecName: 'BotoTestCase1',
  TierTagValue: 'Role_DB',
  TierStart: { TierSequence: '0', TierSynchronization: 'True', InterTierOrchestrationDelay: '30' },
  TierStop: { TierSequence: '2', TierSynchronization: 'True' },
};

describe('orchestrator rows', () => {
  it('loads the documented Linux example unchanged, with the other tiers', () => {
    const { specs, problems } = specsFromOrchestratorRows([workloadRow], [webLinux, appRow, dbRow]);

    expect(problems).toEqual([]);
    const [spec] = specs;
    expect(spec).toMatchObject({
      name: 'BotoTestCase1',
      region: 'us-west-2',
      workloadTag: { key: 'Environment', value: 'ENV001' },
      tierTagKey: 'Role',
      vpcId: 'vpc-xyz',
      snsTopicName: 'SchedulerTesting',
      disabled: false,
      scaleInstanceDelaySeconds: 0,
    });
    expect(spec?.tiers.find((t) => t.name === 'Role_Web')).toEqual({
      name: 'Role_Web',
      start: { sequence: 2, synchronous: false, delaySeconds: 0 },
      stop: {
        sequence: 0,
        synchronous: false,
        delaySeconds: 10,
        override: { filename: '/tmp/StopOverride', os: 'Linux' },
      },
      scaling: { default: 't2.nano', profileB: 't2.medium', profileC: 't2.large', profileD: 'c4.large' },
    });
  });

  it('loads the documented Windows alternative unchanged', () => {
    const { specs, problems } = specsFromOrchestratorRows([workloadRow], [webWindows, appRow, dbRow]);

    expect(problems).toEqual([]);
    expect(specs[0]?.tiers.find((t) => t.name === 'Role_Web')?.stop.override).toEqual({
      filename: 'C:\\ignore.txt',
      os: 'Windows',
    });
  });

  it('names a tier defined twice (both alternatives loaded together)', () => {
    const { specs, problems } = specsFromOrchestratorRows(
      [workloadRow],
      [webLinux, webWindows, appRow, dbRow],
    );

    expect(specs).toEqual([]);
    expect(problems.join('\n')).toContain('tier "Role_Web" is defined more than once');
  });

  it('names sequence gaps and duplicates', () => {
    const gap = { ...dbRow, TierStop: { TierSequence: '3', TierSynchronization: 'True' } };
    const dup = { ...dbRow, TierStart: { TierSequence: '1', TierSynchronization: 'True' } };

    const gapResult = specsFromOrchestratorRows([workloadRow], [webLinux, appRow, gap]);
    const dupResult = specsFromOrchestratorRows([workloadRow], [webLinux, appRow, dup]);

    expect(gapResult.problems).toEqual([
      'workload "BotoTestCase1": TierStop.TierSequence values must run 0 to 2 without gaps (zero-based); found 0, 1, 3, missing 2',
    ]);
    expect(dupResult.problems).toEqual([
      'workload "BotoTestCase1": TierStart.TierSequence 1 is used by "Role_App" and "Role_DB"; each tier needs its own place in the start order',
    ]);
  });

  it('names an unknown OS, a non-numeric delay and an invalid instance type', () => {
    const bad = {
      ...webLinux,
      TierStop: {
        TierSequence: '0',
        TierStopOverrideFilename: '/x',
        TierStopOverrideOperatingSystem: 'Solaris',
        InterTierOrchestrationDelay: 'ten',
      },
      TierScaling: { big: 't2.huge' },
    };

    const { specs, problems } = specsFromOrchestratorRows([workloadRow], [bad, appRow, dbRow]);

    expect(specs).toEqual([]);
    expect(problems).toEqual(
      expect.arrayContaining([
        'workload "BotoTestCase1", tier "Role_Web": TierStop.InterTierOrchestrationDelay must be a whole number of 0 or more; got "ten"',
        'workload "BotoTestCase1", tier "Role_Web": TierStop.TierStopOverrideOperatingSystem must be Linux or Windows; got "Solaris"',
      ]),
    );
    const withType = specsFromOrchestratorRows(
      [workloadRow],
      [{ ...webLinux, TierScaling: { big: 't2.huge' } }, appRow, dbRow],
    );
    expect(withType.problems).toEqual([
      'workload "BotoTestCase1", tier "Role_Web": scaling profile "big" names "t2.huge", which is not an EC2 instance type (examples: t3.micro, m5.large, c6g.2xlarge)',
    ]);
  });

  it('names a spec with no tiers, tiers without a spec and missing fields', () => {
    const { problems } = specsFromOrchestratorRows(
      [workloadRow, { SpecName: 'half' }],
      [{ ...appRow, SpecName: 'ghost' }],
    );

    expect(problems).toEqual([
      'workload "BotoTestCase1": has no tiers; add at least one tier (TierSpecification row) for it',
      'WorkloadSpecification row 2: WorkloadFilterTagName is required: a non-empty string; WorkloadFilterTagValue is required: a non-empty string; WorkloadRegion is required: a non-empty string; TierFilterTagName is required: a non-empty string',
      'workload "ghost": has tier rows but no WorkloadSpecification row; add one or fix SpecName',
    ]);
  });

  it('reads DisableAllSchedulingActions and ScaleInstanceDelay as strings', () => {
    const { specs } = specsFromOrchestratorRows(
      [{ ...workloadRow, DisableAllSchedulingActions: '1', ScaleInstanceDelay: '45' }],
      [webLinux, appRow, dbRow],
    );

    expect(specs[0]).toMatchObject({ disabled: true, scaleInstanceDelaySeconds: 45 });
  });
});
