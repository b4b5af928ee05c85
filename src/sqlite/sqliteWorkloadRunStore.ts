/**
 * Workload runs in the single process's SQLite file. The run is a JSON body
 * next to the columns we query on; the lock is a row per workload, taken and
 * released in the same transaction as the run write.
 */
import { ConflictError } from '../core/errors.js';
import { isFinished, WorkloadBusyError, type WorkloadRun } from '../core/workloads/run.js';
import type { WorkloadRunStore } from '../ports/workloadRunStore.js';
import type { SqliteDatabase } from './database.js';

interface RunRow {
  body: string;
}

interface LockRow {
  run_id: string;
}

export class SqliteWorkloadRunStore implements WorkloadRunStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS workload_runs (
        run_id TEXT PRIMARY KEY,
        workload TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS workload_runs_by_workload ON workload_runs (workload, run_id);
      CREATE TABLE IF NOT EXISTS workload_locks (
        workload TEXT PRIMARY KEY,
        run_id TEXT NOT NULL
      );
    `);
  }

  async create(run: WorkloadRun): Promise<WorkloadRun> {
    const stored = { ...run, version: 1 };
    this.db.transaction(() => {
      const lock = this.db
        .prepare('SELECT run_id FROM workload_locks WHERE workload = ?')
        .get(run.workload) as LockRow | undefined;
      if (lock) {
        const holder = this.read(lock.run_id);
        if (holder && !isFinished(holder)) throw new WorkloadBusyError(holder);
      }
      this.db
        .prepare(
          'INSERT INTO workload_locks (workload, run_id) VALUES (?, ?) ON CONFLICT(workload) DO UPDATE SET run_id = excluded.run_id',
        )
        .run(run.workload, run.runId);
      try {
        this.db
          .prepare(
            'INSERT INTO workload_runs (run_id, workload, requested_at, status, version, body) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(run.runId, run.workload, run.requestedAt, run.status, 1, JSON.stringify(stored));
      } catch (cause) {
        throw new ConflictError(`workload run ${run.runId} already exists`, { cause });
      }
    })();
    return stored;
  }

  async get(runId: string): Promise<WorkloadRun | undefined> {
    return this.read(runId);
  }

  async save(run: WorkloadRun): Promise<WorkloadRun> {
    const stored = { ...run, version: run.version + 1 };
    this.db.transaction(() => {
      const res = this.db
        .prepare(
          'UPDATE workload_runs SET status = ?, version = ?, body = ? WHERE run_id = ? AND version = ?',
        )
        .run(run.status, stored.version, JSON.stringify(stored), run.runId, run.version);
      if (res.changes === 0) {
        throw new ConflictError(`workload run ${run.runId} changed since version ${run.version}; reload it`);
      }
      if (isFinished(run)) {
        this.db
          .prepare('DELETE FROM workload_locks WHERE workload = ? AND run_id = ?')
          .run(run.workload, run.runId);
      }
    })();
    return stored;
  }

  async recent(limit: number, workload?: string): Promise<WorkloadRun[]> {
    const rows = (
      workload
        ? this.db
            .prepare('SELECT body FROM workload_runs WHERE workload = ? ORDER BY run_id DESC LIMIT ?')
            .all(workload, limit)
        : this.db.prepare('SELECT body FROM workload_runs ORDER BY run_id DESC LIMIT ?').all(limit)
    ) as RunRow[];
    return rows.map((r) => JSON.parse(r.body) as WorkloadRun);
  }

  async active(): Promise<WorkloadRun[]> {
    const rows = this.db
      .prepare(
        'SELECT r.body FROM workload_locks l JOIN workload_runs r ON r.run_id = l.run_id WHERE r.status = ? ORDER BY r.run_id',
      )
      .all('running') as RunRow[];
    return rows.map((r) => JSON.parse(r.body) as WorkloadRun);
  }

  private read(runId: string): WorkloadRun | undefined {
    const row = this.db.prepare('SELECT body FROM workload_runs WHERE run_id = ?').get(runId) as
      | RunRow
      | undefined;
    return row ? (JSON.parse(row.body) as WorkloadRun) : undefined;
  }
}
