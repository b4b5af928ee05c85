/** Idempotency keys for the single process, in its SQLite file; same rules as the DynamoDB adapter. */
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../ports/idempotencyStore.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  status: 'in-progress' | 'completed';
  result: string | null;
  expires_at: string;
}

export class SqliteIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        result TEXT,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
    `);
  }

  async claim(key: string, leaseUntil: Date, now: Date): Promise<ClaimResult> {
    // Housekeeping rides on claims, measured against the caller's `now` (not
    // the wall clock) so a virtual or skewed clock never drops live entries.
    // The day of slack keeps just-expired keys readable for diagnosis.
    this.db
      .prepare('DELETE FROM idempotency WHERE expires_at < ?')
      .run(new Date(now.getTime() - 86_400_000).toISOString());
    // One statement: inserts, or takes over an expired entry; otherwise changes nothing.
    const res = this.db
      .prepare(
        `INSERT INTO idempotency (key, status, result, expires_at) VALUES (?, 'in-progress', NULL, ?)
         ON CONFLICT (key) DO UPDATE SET status = 'in-progress', result = NULL, expires_at = excluded.expires_at
         WHERE idempotency.expires_at < ?`,
      )
      .run(key, leaseUntil.toISOString(), now.toISOString());
    if (res.changes > 0) return { claimed: true };
    const held = await this.get(key, now);
    return { claimed: false, status: held?.status ?? 'in-progress', result: held?.result };
  }

  async complete(key: string, expiresAt: Date, result?: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO idempotency (key, status, result, expires_at) VALUES (?, 'completed', ?, ?)
         ON CONFLICT (key) DO UPDATE SET status = 'completed', result = excluded.result, expires_at = excluded.expires_at`,
      )
      .run(key, result ?? null, expiresAt.toISOString());
  }

  async release(key: string): Promise<void> {
    this.db.prepare(`DELETE FROM idempotency WHERE key = ? AND status = 'in-progress'`).run(key);
  }

  async get(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const row = this.db
      .prepare<[string], Row>('SELECT status, result, expires_at FROM idempotency WHERE key = ?')
      .get(key);
    if (!row || row.expires_at < now.toISOString()) return undefined;
    return { key, status: row.status, result: row.result ?? undefined, expiresAt: row.expires_at };
  }
}
