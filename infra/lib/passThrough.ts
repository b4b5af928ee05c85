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
const OUTBOX = ['outboxStream', 'reconcile'];
/** Every function makes AWS calls through the one client factory (src/aws/clients.ts). */
const EVERY = [
  'stateChange',
  'nagDue',
  'consentStop',
  'idleCheck',
  'reconcile',
  'outboxStream',
  'slackEvents',
  'chatNotify',
  'teamsMessages',
  'workloadStep',
  'decommission',
  'cloudmapReconcile',
  'digest',
  'teamsDigest',
];
/** The functions that answer chat requests and hand late work on. */
const ANSWERING = ['slackEvents', 'teamsMessages'];
/** Consented stops: the engine gives tag consent and cancels, chat gives and reads it, consentStop fires it. */
const CONSENT = [
  'stateChange',
  'reconcile',
  'nagDue',
  'consentStop',
  'idleCheck',
  'slackEvents',
  'teamsMessages',
  'chatNotify',
];
/**
 * Stop when idle: the idle check judges and warns; the endpoints record the
 * window a click consents to, and chatNotify draws it on the button ("Stop
 * when idle (30m)"): all must read the same window, or the button promises one
 * and the consent holds another.
 */
const IDLE = ['idleCheck', 'slackEvents', 'teamsMessages', 'chatNotify'];

export const PASS_THROUGH_VARIABLES: Record<string, { handlers: string[]; feature: Feature }> = {
  SLACK_ADMINS: { handlers: CHAT, feature: 'chat' },
  SLACK_STOP_ALLOW: { handlers: CHAT, feature: 'chat' },
  SLACK_REPEAT_NAGS: { handlers: CHAT, feature: 'chat' },
  SLACK_FALLBACK_CHANNEL: { handlers: CHAT, feature: 'chat' },
  TEAMS_ADMINS: { handlers: CHAT, feature: 'teams' },
  TEAMS_STOP_ALLOW: { handlers: CHAT, feature: 'teams' },
  TEAMS_FALLBACK_CHANNEL: { handlers: CHAT, feature: 'teams' },
  // Extend comes from chat: Slack buttons and commands, Teams cards.
  MAX_EXTENSION: { handlers: ['slackEvents', 'teamsMessages'], feature: 'chat' },
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
  OUTBOX_MAX_ATTEMPTS: { handlers: OUTBOX, feature: 'monitoring' },
  OUTBOX_RETRY_BASE: { handlers: OUTBOX, feature: 'monitoring' },
  OUTBOX_RETRY_MAX: { handlers: OUTBOX, feature: 'monitoring' },
  // The engine prices runs from the tag (and warns about a bad one); chat commands read tags too.
  HOURLY_COST_TAG: {
    handlers: [
      'stateChange',
      'reconcile',
      'nagDue',
      'consentStop',
      'slackEvents',
      'teamsMessages',
      'chatNotify',
    ],
    feature: 'monitoring',
  },
  // The engine reads the owner into nags and warnings; chat reads it for `/ec2 mine`;
  // the outbox stream records it in the run history.
  OWNER_TAG: {
    handlers: [
      'stateChange',
      'reconcile',
      'nagDue',
      'slackEvents',
      'teamsMessages',
      'chatNotify',
      'outboxStream',
      'digest',
      'teamsDigest',
    ],
    feature: 'monitoring',
  },
  // AWS client timeouts and retry budget (src/config/aws.ts), and the chat answer budgets.
  AWS_CONNECT_TIMEOUT: { handlers: EVERY, feature: 'monitoring' },
  AWS_REQUEST_TIMEOUT: { handlers: EVERY, feature: 'monitoring' },
  AWS_MAX_ATTEMPTS: { handlers: EVERY, feature: 'monitoring' },
  AWS_RETRY_MODE: { handlers: EVERY, feature: 'monitoring' },
  CHAT_ACK_BUDGET: { handlers: ANSWERING, feature: 'chat' },
  CHAT_ACTION_DEADLINE: { handlers: ['slackEvents', 'teamsMessages'], feature: 'chat' },
  AUTOSTOP_TAG: { handlers: CONSENT, feature: 'monitoring' },
  STOP_TIME_ZONE: { handlers: CONSENT, feature: 'monitoring' },
  GROUP_TIME_ZONES: { handlers: CONSENT, feature: 'monitoring' },
  STOP_WARNING: { handlers: CONSENT, feature: 'monitoring' },
  // The outbox deliverers record ended runs in the history.
  RUN_HISTORY_RETENTION: { handlers: OUTBOX, feature: 'monitoring' },
  // The digest functions send by them; `/ec2 digest` reports them.
  DIGEST_TIME_ZONE: { handlers: ['digest', 'teamsDigest', 'slackEvents', 'teamsMessages'], feature: 'chat' },
  DIGEST_DEFAULT: { handlers: ['digest', 'teamsDigest', 'slackEvents', 'teamsMessages'], feature: 'chat' },
  IDLE_CPU_PERCENT: { handlers: IDLE, feature: 'monitoring' },
  IDLE_NETWORK_BYTES: { handlers: IDLE, feature: 'monitoring' },
  IDLE_GPU_PERCENT: { handlers: IDLE, feature: 'monitoring' },
  IDLE_WINDOW: { handlers: IDLE, feature: 'monitoring' },
  IDLE_EVIDENCE_WINDOW: { handlers: ['nagDue'], feature: 'monitoring' },
};

/** The pass-through settings a handler reads. */
export function passThroughFor(handler: string, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter(([key]) => PASS_THROUGH_VARIABLES[key]?.handlers.includes(handler)),
  );
}

/**
 * Reads `functionEnvironment` from context (an object, or a JSON string from
 * `-c`) and keeps only listed variables; their values are checked with the
 * rest of the settings by `checkAsFunctionsWould` (settings.ts). Problems are
 * appended to `problems`, each naming the setting and what it expects.
 */
export function readPassThrough(raw: unknown, problems: string[]): Record<string, string> {
  let value = raw;
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      problems.push(
        `functionEnvironment must be a JSON object such as {"SLACK_ADMINS":"U0123ABC"}; got ${value}`,
      );
      return {};
    }
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('functionEnvironment must be an object of VARIABLE: "value" pairs');
    return {};
  }
  const env: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(key in PASS_THROUGH_VARIABLES)) {
      problems.push(
        `functionEnvironment.${key} is not a setting the stack passes on; allowed: ${Object.keys(PASS_THROUGH_VARIABLES).join(', ')}`,
      );
    } else if (v !== undefined && v !== null && String(v).trim() !== '') {
      env[key] = String(v).trim();
    }
  }
  return env;
}
