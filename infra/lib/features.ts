/**
 * The parts of the stack, each with the Lambda handlers it deploys. A full
 * deploy has every feature; tests synthesize subsets to check each part's
 * resources and grants on their own.
 */
export const FEATURE_HANDLERS = {
  /** The engine: EC2 state changes, due nags, consented stops, the reconcile sweep, outbox delivery. Always required. */
  monitoring: ['stateChange', 'nagDue', 'consentStop', 'idleCheck', 'reconcile', 'outboxStream'],
  /** Slack endpoint, delivery of nags/events to Slack and Teams channels, and the weekly digest (one function per platform). */
  chat: ['slackEvents', 'chatNotify', 'digest', 'teamsDigest'],
  /** Teams (Bot Framework) endpoint. */
  teams: ['teamsMessages'],
  /** Tiered workload runs. */
  workloads: ['workloadStep'],
  /** DNS/Cloud Map/webhook cleanup after terminations. */
  cleanup: ['decommission', 'cloudmapReconcile'],
} as const;

export type Feature = keyof typeof FEATURE_HANDLERS;

export const ALL_FEATURES = Object.keys(FEATURE_HANDLERS) as Feature[];
