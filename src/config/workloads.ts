/** Tiered workload start/stop settings, for both runtimes. */
import { MINUTE } from '../core/duration.js';
import { AWS_REGION_PATTERN, type EnvReader } from './env.js';

export interface WorkloadsConfig {
  /** Where specs come from: a YAML/JSON file, or AWS_EC2_Scheduler's two DynamoDB tables. */
  specSource: 'file' | 'dynamodb';
  /** Spec file for `specSource: file`. */
  specFile: string;
  /** AWS_EC2_Scheduler's tables for `specSource: dynamodb`. */
  workloadTable: string;
  tierTable: string;
  /** Region of those tables; defaults to the home region. */
  specTableRegion?: string;
  /**
   * Who may stop/start workloads from chat: `slack:U123`, `teams:<aad-object-id>`,
   * or a bare id matching either. Empty means nobody can from chat.
   */
  admins: string[];
  /** Do not stop an instance SSM could not check for the override file. */
  overrideFailSafe: boolean;
  /** Seconds SSM gets to answer the override check. */
  ssmTimeoutSeconds: number;
  /** How long a synchronous tier waits before naming its stragglers. */
  syncTimeoutSeconds: number;
  /** Seconds between waiter polls of a synchronous tier. */
  pollSeconds: number;
  /** Lambda mode: the workloadStep function that one-shot schedules invoke. */
  stepFunctionArn?: string;
  /** Status topic when a spec names no SNSTopicName. */
  statusTopicArn?: string;
  /** Finished runs are kept this many days (DynamoDB TTL). */
  runRetentionDays: number;
}

export function readWorkloadsConfig(r: EnvReader): WorkloadsConfig {
  return {
    specSource: r.oneOf('WORKLOAD_SPEC_SOURCE', ['file', 'dynamodb'] as const, 'file'),
    specFile: r.string('WORKLOADS_FILE', './workloads.yaml'),
    workloadTable: r.matching(
      'WORKLOAD_SPEC_TABLE',
      /^[\w.-]{3,255}$/,
      'a DynamoDB table name',
      'WorkloadSpecification',
    ),
    tierTable: r.matching('TIER_SPEC_TABLE', /^[\w.-]{3,255}$/, 'a DynamoDB table name', 'TierSpecification'),
    specTableRegion: r.matching(
      'WORKLOAD_SPEC_REGION',
      AWS_REGION_PATTERN,
      'an AWS region such as us-east-1',
    ),
    admins: r.list('WORKLOAD_ADMINS'),
    overrideFailSafe: r.bool('WORKLOAD_OVERRIDE_FAIL_SAFE', true),
    ssmTimeoutSeconds: r.duration('WORKLOAD_SSM_TIMEOUT', MINUTE, {
      minSeconds: 5,
      maxSeconds: 10 * MINUTE,
      bareUnit: 's',
    }),
    syncTimeoutSeconds: r.duration('WORKLOAD_SYNC_TIMEOUT', 15 * MINUTE, {
      minSeconds: MINUTE,
      maxSeconds: 86_400,
      bareUnit: 'm',
    }),
    pollSeconds: r.duration('WORKLOAD_POLL_EVERY', 30, {
      minSeconds: 5,
      maxSeconds: 15 * MINUTE,
      bareUnit: 's',
    }),
    stepFunctionArn: r.matching(
      'WORKLOAD_STEP_FUNCTION_ARN',
      /^arn:aws[\w-]*:lambda:/,
      'the ARN of the workloadStep Lambda function',
    ),
    statusTopicArn: r.matching('WORKLOAD_SNS_TOPIC_ARN', /^arn:aws[\w-]*:sns:/, 'an SNS topic ARN'),
    runRetentionDays: r.int('WORKLOAD_RUN_RETENTION_DAYS', 90, { min: 1, max: 3650 }),
  };
}
