import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('workloads config', () => {
  it('defaults to workloads.yaml, fail-safe, and the AWS_EC2_Scheduler table names', () => {
    const { workloads } = loadConfig({});

    expect(workloads).toEqual({
      specSource: 'file',
      specFile: './workloads.yaml',
      workloadTable: 'WorkloadSpecification',
      tierTable: 'TierSpecification',
      specTableRegion: undefined,
      admins: [],
      overrideFailSafe: true,
      ssmTimeoutSeconds: 60,
      syncTimeoutSeconds: 900,
      pollSeconds: 30,
      stepFunctionArn: undefined,
      statusTopicArn: undefined,
      runRetentionDays: 90,
    });
  });

  it('reads every setting', () => {
    const { workloads } = loadConfig({
      WORKLOAD_SPEC_SOURCE: 'dynamodb',
      WORKLOAD_SPEC_TABLE: 'Specs',
      TIER_SPEC_TABLE: 'Tiers',
      WORKLOAD_SPEC_REGION: 'eu-west-1',
      WORKLOAD_ADMINS: 'slack:U1, teams:abc',
      WORKLOAD_OVERRIDE_FAIL_SAFE: 'false',
      WORKLOAD_SYNC_TIMEOUT: '30m',
      WORKLOAD_POLL_EVERY: '10',
      WORKLOAD_STEP_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:workloadStep',
    });

    expect(workloads).toMatchObject({
      specSource: 'dynamodb',
      workloadTable: 'Specs',
      tierTable: 'Tiers',
      specTableRegion: 'eu-west-1',
      admins: ['slack:U1', 'teams:abc'],
      overrideFailSafe: false,
      syncTimeoutSeconds: 1800,
      pollSeconds: 10,
    });
  });

  it('names each malformed variable and what it expects', () => {
    const load = () =>
      loadConfig({
        WORKLOAD_SPEC_SOURCE: 'yaml',
        WORKLOAD_STEP_FUNCTION_ARN: 'workloadStep',
        WORKLOAD_POLL_EVERY: '1',
      });

    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'WORKLOAD_SPEC_SOURCE must be one of file, dynamodb; got "yaml"',
        'WORKLOAD_POLL_EVERY must be a duration such as 30s; "1" is shorter than the minimum of 5s',
        'WORKLOAD_STEP_FUNCTION_ARN must be the ARN of the workloadStep Lambda function; got "workloadStep"',
      ]);
    }
  });
});
