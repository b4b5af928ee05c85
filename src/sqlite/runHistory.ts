/**
 * The run history in the single process's SQLite file: one row per run
 * (keyed by region, instance and launch time), indexed on the stop time for
 * the digest's range reads. Rows older than the retention (90 days by
 * default, RUN_HISTORY_RETENTION) are purged as new ones arrive, as the
 * DynamoDB TTL forgets them there.
 */

import type { Statement } from 'better-sqlite3';
import type { RunActor } from '../core/instance.js';
import {
  DEFAULT_HISTORY_RETENTION_DAYS,
  type RunEndCause,
  type RunHistoryEntry,
  type RunStopConsent,
} from '../core/runHistory.js';
import type { RunHistory, RunHistoryQuery } from '../ports/runHistory.js';
import type { SqliteDatabase } from './database.js';

const DAY_MS = 86_400_000;

interface Row {
  region: string;
  instance_id: string;
  launch_time: string;
  stopped_at: string;
  ended_by: string;
  actor: string | null;
  consent: string | null;
  grp: string;
  name: string | null;
  owner: string | null;
  threshold_seconds: number;
  runtime_seconds: number;
  seconds_beyond: number;
  hourly_usd: number | null;
}

const COLUMNS =
  'region, instance_id, launch_time, stopped_at, ended_by, actor, consent, grp, name, owner, threshold_seconds, runtime_seconds, seconds_beyond, hourly_usd';

export class SqliteRunHistory implements RunHistory {
  private readonly retentionMs: number;
  private readonly insert: Statement<unknown[]>;
  private readonly purge: Statement<[string]>;

  constructor(
    private readonly db: SqliteDatabase,
    opts: { retentionDays?: number } = {},
  ) {
    this.retentionMs = (opts.retentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS) * DAY_MS;
    db.exec(`
      CREATE TABLE IF NOT EXISTS run_history (
        region TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        launch_time TEXT NOT NULL,
        stopped_at TEXT NOT NULL,
        ended_by TEXT NOT NULL,
        actor TEXT,
        consent TEXT,
        grp TEXT NOT NULL,
        name TEXT,
        owner TEXT,
        threshold_seconds INTEGER NOT NULL,
        runtime_seconds INTEGER NOT NULL,
        seconds_beyond INTEGER NOT NULL,
        hourly_usd REAL,
        PRIMARY KEY (region, instance_id, launch_time)
      );
      CREATE INDEX IF NOT EXISTS run_history_stopped ON run_history (stopped_at);
      CREATE INDEX IF NOT EXISTS run_history_group_stopped ON run_history (grp, stopped_at);
    `);
    // Prepared once: a busy week records thousands of runs.
    this.insert = db.prepare<unknown[]>(
      `INSERT OR IGNORE INTO run_history (${COLUMNS}) VALUES (${COLUMNS.replace(/\w+/g, '?')})`,
    );
    this.purge = db.prepare<[string]>('DELETE FROM run_history WHERE stopped_at < ?');
  }

  async record(entry: RunHistoryEntry): Promise<void> {
    this.db.transaction(() => {
      this.insert.run(
        entry.region,
        entry.instanceId,
        new Date(entry.launchTime).toISOString(),
        new Date(entry.stoppedAt).toISOString(),
        entry.endedBy,
        entry.actor ? JSON.stringify(entry.actor) : null,
        entry.consent ? JSON.stringify(entry.consent) : null,
        entry.group,
        entry.name ?? null,
        entry.owner ?? null,
        entry.thresholdSeconds,
        entry.runtimeSeconds,
        entry.secondsBeyondThreshold,
        entry.hourlyUsd,
      );
      const cutoff = new Date(Date.parse(entry.stoppedAt) - this.retentionMs).toISOString();
      this.purge.run(cutoff);
    })();
  }

  async between(query: RunHistoryQuery): Promise<RunHistoryEntry[]> {
    const range = [query.since.toISOString(), query.until.toISOString()];
    const groups = query.groups ? [...new Set(query.groups)] : undefined;
    if (groups?.length === 0) return [];
    const where = groups
      ? `grp IN (${groups.map(() => '?').join(', ')}) AND stopped_at >= ? AND stopped_at < ?`
      : 'stopped_at >= ? AND stopped_at < ?';
    return this.db
      .prepare<string[], Row>(
        `SELECT ${COLUMNS} FROM run_history WHERE ${where} ORDER BY stopped_at, region, instance_id`,
      )
      .all(...(groups ?? []), ...range)
      .map(toEntry);
  }
}

/** Builds the entry field by field: a digest reads tens of thousands of rows, and spreads cost. */
function toEntry(row: Row): RunHistoryEntry {
  const entry: RunHistoryEntry = {
    region: row.region,
    instanceId: row.instance_id,
    launchTime: row.launch_time,
    stoppedAt: row.stopped_at,
    endedBy: row.ended_by as RunEndCause,
    group: row.grp,
    thresholdSeconds: row.threshold_seconds,
    runtimeSeconds: row.runtime_seconds,
    secondsBeyondThreshold: row.seconds_beyond,
    hourlyUsd: row.hourly_usd,
  };
  if (row.actor) entry.actor = JSON.parse(row.actor) as RunActor;
  if (row.consent) entry.consent = JSON.parse(row.consent) as RunStopConsent;
  if (row.name !== null) entry.name = row.name;
  if (row.owner !== null) entry.owner = row.owner;
  return entry;
}
