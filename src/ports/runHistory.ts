/**
 * The run history (see src/core/runHistory.ts): one entry per ended run,
 * read by time range for the weekly digest and `lightsout report`.
 * Implementations: SQLite (indexed on the stop time) and DynamoDB (one
 * partition per stop day, so a range is a handful of Queries, never a Scan);
 * one contract suite runs against both and the in-memory fake.
 */
import type { RunHistoryEntry } from '../core/runHistory.js';

export interface RunHistoryQuery {
  /** Runs that stopped at or after this time… */
  since: Date;
  /** …and before this one. */
  until: Date;
  /** Only these groups; all groups when absent. */
  groups?: readonly string[];
}

export interface RunHistory {
  /**
   * Records an ended run. Idempotent: recording the same run (same launch and
   * stop time) again keeps the first entry, so a redelivered event, or the
   * termination that follows a stop, changes nothing.
   */
  record(entry: RunHistoryEntry): Promise<void>;
  /** Entries whose stop falls in [since, until), oldest stop first. */
  between(query: RunHistoryQuery): Promise<RunHistoryEntry[]>;
}
