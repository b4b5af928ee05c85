/** Cleanup outcomes in the single process's SQLite file, one row per instance run. */
import type { CleanupOutcome, CleanupOutcomeStore } from '../ports/cleanupOutcomeStore.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  body: string;
}

export class SqliteCleanupOutcomeStore implements CleanupOutcomeStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS cleanup_outcomes (
      region TEXT NOT NULL,
      instance_id TEXT NOT NULL,
      launch_time TEXT NOT NULL,
      at TEXT NOT NULL,
      ok INTEGER NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (region, instance_id, launch_time)
    )`);
  }

  async get(key: {
    region: string;
    instanceId: string;
    launchTime: string;
  }): Promise<CleanupOutcome | undefined> {
    const row = this.db
      .prepare('SELECT body FROM cleanup_outcomes WHERE region = ? AND instance_id = ? AND launch_time = ?')
      .get(key.region, key.instanceId, key.launchTime) as Row | undefined;
    return row ? (JSON.parse(row.body) as CleanupOutcome) : undefined;
  }

  async put(outcome: CleanupOutcome): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO cleanup_outcomes (region, instance_id, launch_time, at, ok, body) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (region, instance_id, launch_time) DO UPDATE SET at = excluded.at, ok = excluded.ok, body = excluded.body`,
      )
      .run(
        outcome.region,
        outcome.instanceId,
        outcome.launchTime,
        outcome.at,
        outcome.ok ? 1 : 0,
        JSON.stringify(outcome),
      );
  }
}
