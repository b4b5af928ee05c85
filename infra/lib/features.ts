/**
 * The stack grows with the code: each feature is deployed once all of its
 * handler files exist in `src/lambda/`, so `npm run deploy` works from the
 * first engine commit onwards and never references a handler that is not there.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { handlerEntry } from './handlerFunction.js';

export const FEATURE_HANDLERS = {
  /** The engine: EC2 state changes, due nags, the reconcile sweep. Always required. */
  monitoring: ['stateChange', 'nagDue', 'reconcile'],
  /** Slack endpoint, and delivery of nags/events to Slack and Teams channels. */
  chat: ['slackEvents', 'chatNotify'],
  /** Teams (Bot Framework) endpoint. */
  teams: ['teamsMessages'],
  /** Tiered workload runs. */
  workloads: ['workloadStep'],
  /** DNS/Cloud Map/webhook cleanup after terminations. */
  cleanup: ['decommission', 'cloudmapReconcile'],
} as const;

export type Feature = keyof typeof FEATURE_HANDLERS;

export const ALL_FEATURES = Object.keys(FEATURE_HANDLERS) as Feature[];

export interface FeatureScan {
  present: Feature[];
  /** Handler files that keep a feature out, e.g. `src/lambda/teamsMessages.ts`. */
  missing: string[];
}

/** Which features have all their handler files under `root`. */
export function scanFeatures(root: string): FeatureScan {
  const present: Feature[] = [];
  const missing: string[] = [];
  for (const feature of ALL_FEATURES) {
    const absent = FEATURE_HANDLERS[feature]
      .map(handlerEntry)
      .filter((entry) => !existsSync(path.join(root, entry)));
    if (absent.length === 0) present.push(feature);
    missing.push(...absent);
  }
  return { present, missing };
}
