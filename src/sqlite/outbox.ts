/**
 * The outbox in the single process's SQLite file. The instance store writes
 * entries with `insertOutboxEntries` inside its own transaction, so a record
 * change and the event it causes are committed together or not at all.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../core/events.js';
import { newOutboxEntry, type OutboxEntry, outboxSummary } from '../core/outbox.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Outbox, OutboxStats } from '../ports/outbox.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  id: string;
  created_at: string;
  status: 'pending' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  event: string;
}

/** Creates the outbox table; every adapter that writes to it calls this. */
export function ensureOutboxTable(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS outbox (
      id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT,
      event TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status, id);
  `);
}

/** Inserts entries for `events`; call inside the caller's transaction to commit them with its write. */
export function insertOutboxEntries(db: SqliteDatabase, events: DomainEvent[], now: Date): OutboxEntry[] {
  const insert = db.prepare(
    `INSERT INTO outbox (id, created_at, status, attempts, next_attempt_at, last_error, event)
     VALUES (@id, @createdAt, @status, @attempts, @nextAttemptAt, NULL, @event)`,
  );
  return events.map((event) => {
    const entry = newOutboxEntry(event, now, randomUUID());
    insert.run({ ...entry, event: JSON.stringify(event) });
    return entry;
  });
}

export class SqliteOutbox implements Outbox {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqliteDatabase,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    ensureOutboxTable(db);
  }

  async add(events: DomainEvent[]): Promise<OutboxEntry[]> {
    return this.db.transaction(() => insertOutboxEntries(this.db, events, this.clock()))();
  }

  async pending(limit = 100): Promise<OutboxEntry[]> {
    return this.db
      .prepare<[number], Row>(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?`)
      .all(limit)
      .map(toEntry);
  }

  async delivered(id: string): Promise<void> {
    this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
  }

  async retryLater(id: string, u: { attempts: number; nextAttemptAt: string; error: string }): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(u.attempts, u.nextAttemptAt, u.error, id);
  }

  async giveUp(id: string, u: { attempts: number; error: string }): Promise<void> {
    this.db
      .prepare(`UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?`)
      .run(u.attempts, u.error, id);
  }

  async failed(): Promise<OutboxEntry[]> {
    return this.db
      .prepare<[], Row>(`SELECT * FROM outbox WHERE status = 'failed' ORDER BY id`)
      .all()
      .map(toEntry);
  }

  async stats(): Promise<OutboxStats> {
    const counts = this.db
      .prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status')
      .all();
    const count = (status: string) => counts.find((c) => c.status === status)?.n ?? 0;
    const [oldest] = await this.pending(1);
    return {
      depth: count('pending'),
      failed: count('failed'),
      ...(oldest ? { oldestPending: outboxSummary(oldest) } : {}),
    };
  }
}

function toEntry(row: Row): OutboxEntry {
  return {
    id: row.id,
    event: JSON.parse(row.event) as DomainEvent,
    createdAt: row.created_at,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    ...(row.last_error ? { lastError: row.last_error } : {}),
  };
}
