/**
 * Optional behaviour settings the functions read (see src/config/*.ts) that
 * the stack does not derive itself. Set them in CDK context under
 * `functionEnvironment`, e.g. `{"SLACK_ADMINS": "U0123ABC", "CLEANUP_DRY_RUN": "true"}`;
 * each goes only to the functions that read it. Anything secret is not on this
 * list on purpose: secrets go to Secrets Manager.
 */
import type { Feature } from './features.js';

/** Which functions read a variable, by handler name. */
const CHAT = ['slackEvents', 'chatNotify', 'teamsMessages'];
const CLEANUP = ['decommission', 'cloudmapReconcile'];

export const PASS_THROUGH_VARIABLES: Record<string, { handlers: string[]; feature: Feature }> = {
  SLACK_ADMINS: { handlers: CHAT, feature: 'chat' },
  SLACK_STOP_ALLOW: { handlers: CHAT, feature: 'chat' },
  SLACK_REPEAT_NAGS: { handlers: CHAT, feature: 'chat' },
  SLACK_FALLBACK_CHANNEL: { handlers: CHAT, feature: 'chat' },
  TEAMS_ADMINS: { handlers: CHAT, feature: 'teams' },
  TEAMS_STOP_ALLOW: { handlers: CHAT, feature: 'teams' },
  TEAMS_FALLBACK_CHANNEL: { handlers: CHAT, feature: 'teams' },
  WORKLOAD_ADMINS: { handlers: ['slackEvents', 'teamsMessages'], feature: 'workloads' },
  WORKLOAD_OVERRIDE_FAIL_SAFE: { handlers: ['workloadStep'], feature: 'workloads' },
  WORKLOAD_SSM_TIMEOUT: { handlers: ['workloadStep'], feature: 'workloads' },
  WORKLOAD_SYNC_TIMEOUT: { handlers: ['workloadStep'], feature: 'workloads' },
  WORKLOAD_POLL_EVERY: { handlers: ['workloadStep'], feature: 'workloads' },
  WORKLOAD_RUN_RETENTION_DAYS: { handlers: ['workloadStep'], feature: 'workloads' },
  CLEANUP_ENABLED: { handlers: ['decommission'], feature: 'cleanup' },
  CLEANUP_DRY_RUN: { handlers: CLEANUP, feature: 'cleanup' },
  CLEANUP_WEBHOOK_TIMEOUT: { handlers: ['decommission'], feature: 'cleanup' },
  CLEANUP_RETRY_ATTEMPTS: { handlers: ['decommission'], feature: 'cleanup' },
  CLEANUP_RETRY_BACKOFF: { handlers: ['decommission'], feature: 'cleanup' },
};

/** The pass-through settings a handler reads. */
export function passThroughFor(handler: string, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter(([key]) => PASS_THROUGH_VARIABLES[key]?.handlers.includes(handler)),
  );
}
