/**
 * The durable outbox of domain events (see src/core/outbox.ts). Entries are
 * added in the same transaction as a record change (InstanceStore.put with
 * `events`) or on their own (`add`); the deliverer reads them in order and
 * acknowledges each. Implementations: SQLite (single process) and DynamoDB
 * (Lambda, delivered from the table's stream); one contract suite runs
 * against both.
 */
import type { DomainEvent } from '../core/events.js';
import type { OutboxEntry, OutboxEntrySummary } from '../core/outbox.js';

export interface OutboxStats {
  /** Entries still to be delivered (not counting failed ones). */
  depth: number;
  /** The oldest of those, when there is one. */
  oldestPending?: OutboxEntrySummary;
  failed: number;
}

export interface Outbox {
  /** Adds events that no record write goes with (e.g. a cleanup report). */
  add(events: DomainEvent[]): Promise<OutboxEntry[]>;
  /** Pending entries, oldest first, due or not (the deliverer keeps each instance's order). */
  pending(limit?: number): Promise<OutboxEntry[]>;
  /** The entry was delivered: it leaves the outbox. Unknown ids are ignored. */
  delivered(id: string): Promise<void>;
  /** A failed attempt: counted, with the error and when to try next. */
  retryLater(id: string, update: { attempts: number; nextAttemptAt: string; error: string }): Promise<void>;
  /** No more attempts: the entry stays, listed by `failed()`, until someone looks at it. */
  giveUp(id: string, update: { attempts: number; error: string }): Promise<void>;
  failed(): Promise<OutboxEntry[]>;
  stats(): Promise<OutboxStats>;
}
