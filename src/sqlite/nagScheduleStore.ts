/**
 * Persisted due times for the in-process nag scheduler, so a restart loses
 * nothing. One row per instance (schedules upsert). `fire_ms` is when the
 * row should next fire: `due_at` normally, later after a failed attempt;
 * `due_at` itself is never changed by retries, so the nag keeps its identity.
 */
import type { InstanceKey } from '../core/instance.js';
import type { NagSchedule } from '../ports/nagScheduler.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  region: string;
  instance_id: string;
  launch_time: string;
  due_at: string;
  fire_ms: number;
}

export interface StoredNag extends NagSchedule {
  /** Epoch ms at which the scheduler fires it next. */
  fireAtMs: number;
}

export class SqliteNagScheduleStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS nag_schedules (
        region TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        launch_time TEXT NOT NULL,
        due_at TEXT NOT NULL,
        fire_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (region, instance_id)
      );
      CREATE INDEX IF NOT EXISTS nag_schedules_fire ON nag_schedules (fire_ms);
    `);
  }

  /** Creates or replaces the instance's one schedule; returns when it fires. */
  upsert(entry: NagSchedule): number {
    const fireMs = Date.parse(entry.dueAt);
    this.db
      .prepare(
        `INSERT INTO nag_schedules (region, instance_id, launch_time, due_at, fire_ms, attempts)
         VALUES (?, ?, ?, ?, ?, 0)
         ON CONFLICT (region, instance_id) DO UPDATE SET
           launch_time = excluded.launch_time, due_at = excluded.due_at, fire_ms = excluded.fire_ms, attempts = 0`,
      )
      .run(entry.region, entry.instanceId, entry.launchTime, entry.dueAt, fireMs);
    return fireMs;
  }

  remove(key: InstanceKey): void {
    this.db
      .prepare('DELETE FROM nag_schedules WHERE region = ? AND instance_id = ?')
      .run(key.region, key.instanceId);
  }

  /** Removes the row only if it still is this nag (the handler may have rescheduled it). */
  removeIfUnchanged(entry: NagSchedule): void {
    this.db
      .prepare(
        'DELETE FROM nag_schedules WHERE region = ? AND instance_id = ? AND launch_time = ? AND due_at = ?',
      )
      .run(entry.region, entry.instanceId, entry.launchTime, entry.dueAt);
  }

  /**
   * After a failed attempt: counts it and moves the fire time to
   * `retryAt(attempts)`, unless the entry was rescheduled or cancelled
   * meanwhile. Returns the attempt count, or undefined when the entry changed.
   */
  deferIfUnchanged(entry: NagSchedule, retryAt: (attempts: number) => number): number | undefined {
    return this.db.transaction(() => {
      const row = this.db
        .prepare<[string, string, string, string], { attempts: number }>(
          `SELECT attempts FROM nag_schedules
           WHERE region = ? AND instance_id = ? AND launch_time = ? AND due_at = ?`,
        )
        .get(entry.region, entry.instanceId, entry.launchTime, entry.dueAt);
      if (!row) return undefined;
      const attempts = row.attempts + 1;
      this.db
        .prepare('UPDATE nag_schedules SET attempts = ?, fire_ms = ? WHERE region = ? AND instance_id = ?')
        .run(attempts, retryAt(attempts), entry.region, entry.instanceId);
      return attempts;
    })();
  }

  get(key: InstanceKey): StoredNag | undefined {
    const row = this.db
      .prepare<[string, string], Row>(
        'SELECT region, instance_id, launch_time, due_at, fire_ms FROM nag_schedules WHERE region = ? AND instance_id = ?',
      )
      .get(key.region, key.instanceId);
    return row && toNag(row);
  }

  list(): StoredNag[] {
    return this.db
      .prepare<[], Row>(
        'SELECT region, instance_id, launch_time, due_at, fire_ms FROM nag_schedules ORDER BY fire_ms, region, instance_id',
      )
      .all()
      .map(toNag);
  }

  /** Nags whose fire time has come, earliest first. */
  due(nowMs: number, limit = 500): StoredNag[] {
    return this.db
      .prepare<[number, number], Row>(
        `SELECT region, instance_id, launch_time, due_at, fire_ms FROM nag_schedules
         WHERE fire_ms <= ? ORDER BY fire_ms LIMIT ?`,
      )
      .all(nowMs, limit)
      .map(toNag);
  }

  /** Epoch ms of the earliest pending nag, if any. */
  nextFireMs(): number | undefined {
    const row = this.db
      .prepare<[], { next: number | null }>('SELECT MIN(fire_ms) AS next FROM nag_schedules')
      .get();
    return row?.next ?? undefined;
  }
}

function toNag(row: Row): StoredNag {
  return {
    region: row.region,
    instanceId: row.instance_id,
    launchTime: row.launch_time,
    dueAt: row.due_at,
    fireAtMs: row.fire_ms,
  };
}
