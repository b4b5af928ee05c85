/**
 * What every feature construct is handed by the stack: settings, the shared
 * table, topics, secrets, schedule group and dead-letter queue, plus the
 * environment fragments functions pick from. A function's environment is built
 * only from the fragments it uses, so each sees only its own settings.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { FunctionDefaults, HandlerFunction } from './handlerFunction.js';
import type { ChatSecrets } from './secrets.js';
import type { Settings } from './settings.js';
import type { EncryptedTopic } from './topics.js';

export interface ScheduleTargets {
  groupName: string;
  /** The role Scheduler assumes to invoke targets; functions may pass only this role. */
  roleArn: string;
  nagFunctionArn: string;
  /** The function consented-stop schedules invoke (it performs the stop). */
  consentFunctionArn: string;
  /** Set when the workloads feature is deployed. */
  workloadFunctionArn?: string;
  /** Set when the chat feature is deployed with Slack: the Slack digest function (`/ec2 digest now` in Slack invokes it). */
  digestFunctionArn?: string;
  /** Set when the chat feature is deployed with Teams: the Teams digest function (`digest now` in Teams invokes it). */
  teamsDigestFunctionArn?: string;
}

export interface SharedResources {
  settings: Settings;
  functionDefaults: FunctionDefaults;
  table: dynamodb.ITableV2;
  secrets: ChatSecrets;
  nagTopic: EncryptedTopic;
  eventsTopic: EncryptedTopic;
  schedules: ScheduleTargets;
  /** Failed asynchronous invocations and undeliverable EventBridge events. */
  asyncFailures: sqs.IQueue;
  /** Registers a function for error/throttle alarms. */
  watch(fn: HandlerFunction): void;
  /** Registers a dead-letter queue for a depth alarm. */
  watchQueue(name: string, queue: sqs.IQueue): void;
  /** Registers a role that publishes domain events (the events topic denies all others). */
  addEventsPublisher(role: iam.IRole): void;
}

/** Monitoring settings, as `src/config/monitor.ts` reads them. */
export function monitorEnvironment(s: Settings): Record<string, string> {
  return {
    MONITOR_MODE: s.monitorMode,
    DEFAULT_GROUP: s.defaultGroup,
    DEFAULT_THRESHOLD: s.defaultThreshold,
    RENOTIFY_EVERY: s.renotifyEvery,
    REGIONS: s.regions.join(','),
    TOMBSTONE_TTL: s.tombstoneTtl,
  };
}

/** Scheduler settings, as `src/config/scheduler.ts` reads them. */
export function schedulerEnvironment(t: ScheduleTargets): Record<string, string> {
  return {
    SCHEDULE_GROUP: t.groupName,
    NAG_FUNCTION_ARN: t.nagFunctionArn,
    CONSENT_FUNCTION_ARN: t.consentFunctionArn,
    SCHEDULER_ROLE_ARN: t.roleArn,
  };
}

/** Where workload specs come from on Lambda: AWS_EC2_Scheduler's tables (there is no workloads file). */
export function workloadSpecEnvironment(s: Settings): Record<string, string> {
  return {
    WORKLOAD_SPEC_SOURCE: 'dynamodb',
    WORKLOAD_SPEC_TABLE: s.workloadSpecTable,
    TIER_SPEC_TABLE: s.tierSpecTable,
    ...(s.workloadSpecRegion ? { WORKLOAD_SPEC_REGION: s.workloadSpecRegion } : {}),
  };
}

/** Teams bot identity as the Agents SDK's connection settings (not secret; the client secret is in Secrets Manager), when configured. */
export function teamsIdentityEnvironment(s: Settings): Record<string, string> {
  return {
    ...(s.teamsAppId ? { connections__serviceConnection__settings__clientId: s.teamsAppId } : {}),
    ...(s.teamsTenantId ? { connections__serviceConnection__settings__tenantId: s.teamsTenantId } : {}),
  };
}
