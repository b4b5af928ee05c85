/**
 * Consented stops kept for the in-process stop scheduler, so a restart loses
 * nothing. One row per instance (schedules upsert). A row fires first as
 * `warn` (when it has a warning time), then as `stop`, then goes: `phase`
 * says which firing is next and `fire_ms` when (later after a failed attempt;
 * the stop time itself never moves on a retry).
 */
import type { InstanceKey } from '../core/instance.js';
import type { StopFiring, StopSchedule } from '../ports/stopScheduler.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  region: string;
  instance_id: string;
  launch_time: string;
  stop_at: string;
  warn_at: string | null;
  phase: 'warn' | 'stop';
  fire_ms: number;
}

const COLUMNS = 'region, instance_id, launch_time, stop_at, warn_at, phase, fire_ms';

export class SqliteStopScheduleStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS stop_schedules (
        region TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        launch_time TEXT NOT NULL,
        stop_at TEXT NOT NULL,
        warn_at TEXT,
        phase TEXT NOT NULL,
        fire_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (region, instance_id)
      );
      CREATE INDEX IF NOT EXISTS stop_schedules_fire ON stop_schedules (fire_ms);
    `);
  }

  /** Creates or replaces the instance's schedule; returns when it first fires. */
  upsert(entry: StopSchedule): number {
    const phase = entry.warnAt ? 'warn' : 'stop';
    const fireMs = Date.parse(entry.warnAt ?? entry.stopAt);
    this.db
      .prepare(
        `INSERT INTO stop_schedules (${COLUMNS}, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT (region, instance_id) DO UPDATE SET
           launch_time = excluded.launch_time, stop_at = excluded.stop_at, warn_at = excluded.warn_at,
           phase = excluded.phase, fire_ms = excluded.fire_ms, attempts = 0`,
      )
      .run(
        entry.region,
        entry.instanceId,
        entry.launchTime,
        entry.stopAt,
        entry.warnAt ?? null,
        phase,
        fireMs,
      );
    return fireMs;
  }

  remove(key: InstanceKey): void {
    this.db
      .prepare('DELETE FROM stop_schedules WHERE region = ? AND instance_id = ?')
      .run(key.region, key.instanceId);
  }

  /**
   * After a firing succeeded: a warning moves the row on to its stop, a stop
   * removes it; unless the schedule was replaced or cancelled meanwhile.
   */
  completeIfUnchanged(firing: StopFiring): void {
    const where = 'region = ? AND instance_id = ? AND launch_time = ? AND stop_at = ? AND phase = ?';
    const args = [firing.region, firing.instanceId, firing.launchTime, firing.stopAt, firing.kind] as const;
    if (firing.kind === 'warn') {
      this.db
        .prepare(`UPDATE stop_schedules SET phase = 'stop', fire_ms = ?, attempts = 0 WHERE ${where}`)
        .run(Date.parse(firing.stopAt), ...args);
    } else {
      this.db.prepare(`DELETE FROM stop_schedules WHERE ${where}`).run(...args);
    }
  }

  /** After a failed firing: counts it and fires again at `retryAt(attempts)`, unless the row changed. */
  deferIfUnchanged(firing: StopFiring, retryAt: (attempts: number) => number): number | undefined {
    return this.db.transaction(() => {
      const row = this.db
        .prepare<[string, string, string, string, string], { attempts: number }>(
          `SELECT attempts FROM stop_schedules
           WHERE region = ? AND instance_id = ? AND launch_time = ? AND stop_at = ? AND phase = ?`,
        )
        .get(firing.region, firing.instanceId, firing.launchTime, firing.stopAt, firing.kind);
      if (!row) return undefined;
      const attempts = row.attempts + 1;
      this.db
        .prepare('UPDATE stop_schedules SET attempts = ?, fire_ms = ? WHERE region = ? AND instance_id = ?')
        .run(attempts, retryAt(attempts), firing.region, firing.instanceId);
      return attempts;
    })();
  }

  get(key: InstanceKey): StopSchedule | undefined {
    const row = this.db
      .prepare<[string, string], Row>(
        `SELECT ${COLUMNS} FROM stop_schedules WHERE region = ? AND instance_id = ?`,
      )
      .get(key.region, key.instanceId);
    return row && toSchedule(row);
  }

  list(): StopSchedule[] {
    return this.db
      .prepare<[], Row>(`SELECT ${COLUMNS} FROM stop_schedules ORDER BY fire_ms, region, instance_id`)
      .all()
      .map(toSchedule);
  }

  /** Firings whose time has come, earliest first. */
  due(nowMs: number, limit = 500): StopFiring[] {
    return this.db
      .prepare<[number, number], Row>(
        `SELECT ${COLUMNS} FROM stop_schedules WHERE fire_ms <= ? ORDER BY fire_ms LIMIT ?`,
      )
      .all(nowMs, limit)
      .map((r) => ({
        kind: r.phase,
        region: r.region,
        instanceId: r.instance_id,
        launchTime: r.launch_time,
        stopAt: r.stop_at,
      }));
  }

  nextFireMs(): number | undefined {
    const row = this.db
      .prepare<[], { next: number | null }>('SELECT MIN(fire_ms) AS next FROM stop_schedules')
      .get();
    return row?.next ?? undefined;
  }
}

function toSchedule(row: Row): StopSchedule {
  const s: StopSchedule = {
    region: row.region,
    instanceId: row.instance_id,
    launchTime: row.launch_time,
    stopAt: row.stop_at,
  };
  // A warning already sent is no longer pending.
  if (row.warn_at && row.phase === 'warn') s.warnAt = row.warn_at;
  return s;
}
