/**
 * The audit trail in the single process's SQLite file. Entries older than the
 * retention (400 days by default, as the DynamoDB TTL) are purged as new ones
 * arrive, so the file does not grow without bound.
 */
import type { AuditEntry, AuditLog } from '../ports/auditLog.js';
import type { SqliteDatabase } from './database.js';

export const AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;

interface Row {
  at: string;
  actor: string;
  action: string;
  target: string;
  result: string;
  detail: string | null;
}

export class SqliteAuditLog implements AuditLog {
  private readonly retentionMs: number;

  constructor(
    private readonly db: SqliteDatabase,
    opts: { retentionDays?: number } = {},
  ) {
    this.retentionMs = (opts.retentionDays ?? AUDIT_RETENTION_DAYS) * DAY_MS;
    db.exec(`
      CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        result TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
    `);
  }

  async record(entry: AuditEntry): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO audit_log (at, actor, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(entry.at, entry.actor, entry.action, entry.target, entry.result, entry.detail ?? null);
      const cutoff = new Date(Date.parse(entry.at) - this.retentionMs).toISOString();
      this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff);
    })();
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    if (limit <= 0) return [];
    return this.db
      .prepare<[number], Row>(
        'SELECT at, actor, action, target, result, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ?',
      )
      .all(Math.floor(limit))
      .map(({ detail, ...rest }) => (detail === null ? rest : { ...rest, detail }));
  }
}
