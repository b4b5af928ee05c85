import type { HookOutcome } from '../core/cleanup/cleanupReport.js';
import type { InstanceKey } from '../core/instance.js';

/** What the cleanup hooks did for one run of one terminated instance. */
export interface CleanupOutcome extends InstanceKey {
  launchTime: string;
  name?: string;
  group: string;
  /** When the hooks finished (ISO). */
  at: string;
  /** True when every hook succeeded: a redelivered termination event is then not acted on again. */
  ok: boolean;
  outcomes: HookOutcome[];
  /** The chat line, e.g. `i-0abc (web-1) terminated · removed web-1.internal A · webhook ok`. */
  summary: string;
}

/**
 * Where cleanup outcomes are recorded: SQLite in the single process, the
 * DynamoDB table (`pk` = `CLEANUP#<region>/<instanceId>`, `sk` = launch time) in Lambda.
 */
export interface CleanupOutcomeStore {
  get(key: InstanceKey & { launchTime: string }): Promise<CleanupOutcome | undefined>;
  /** Replaces the outcome of the same run. */
  put(outcome: CleanupOutcome): Promise<void>;
}
