/**
 * The durable outbox: a domain event is written in the same transaction as
 * the record change that caused it, and delivered from there until a
 * delivery succeeds. A crash between "saved" and "told" then loses nothing;
 * the deliverer picks the entry up on its next pass.
 *
 * This file holds the entry shape and the retry decision; it does no I/O.
 */
import type { DomainEvent } from './events.js';

export interface OutboxEntry {
  /** `<createdAt>#<unique suffix>`: ids sort in the order the events were written. */
  id: string;
  event: DomainEvent;
  createdAt: string;
  /** `pending` until delivered (then removed); `failed` once the retries ran out. */
  status: 'pending' | 'failed';
  attempts: number;
  /** Not before this time; set by the backoff after a failed attempt. */
  nextAttemptAt: string;
  lastError?: string;
}

export interface OutboxRetryPolicy {
  /** Attempts in all before an entry is marked failed. */
  maxAttempts: number;
  /** Wait after the first failure; doubles with each further failure. */
  baseDelaySeconds: number;
  /** Upper bound of the wait between two attempts. */
  maxDelaySeconds: number;
}

export const DEFAULT_OUTBOX_RETRY: OutboxRetryPolicy = {
  maxAttempts: 10,
  baseDelaySeconds: 15,
  maxDelaySeconds: 30 * 60,
};

export type RetryDecision =
  | { action: 'retry'; nextAttemptAt: string; reason: string }
  | { action: 'give-up'; reason: string };

/**
 * What to do after attempt number `attempts` (1-based) failed: try again after
 * an exponential backoff, or give up once `maxAttempts` is reached.
 *
 * nextOutboxAttempt(1, now, policy) → retry at now + 15 s; attempt 2 → + 30 s; …
 */
export function nextOutboxAttempt(attempts: number, now: Date, policy: OutboxRetryPolicy): RetryDecision {
  if (attempts >= policy.maxAttempts) {
    return { action: 'give-up', reason: `failed ${attempts} of ${policy.maxAttempts} attempts` };
  }
  const delay = Math.min(policy.baseDelaySeconds * 2 ** (attempts - 1), policy.maxDelaySeconds);
  return {
    action: 'retry',
    nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString(),
    reason: `attempt ${attempts} of ${policy.maxAttempts} failed; next in ${delay} s`,
  };
}

/** A new, never-attempted entry for `event`, written at `now`. */
export function newOutboxEntry(event: DomainEvent, now: Date, unique: string): OutboxEntry {
  const createdAt = now.toISOString();
  return {
    id: `${createdAt}#${unique}`,
    event,
    createdAt,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: createdAt,
  };
}

/** The instance an entry is about: entries of one instance are delivered in order. */
export const outboxInstance = (entry: OutboxEntry): string =>
  `${entry.event.record.region}/${entry.event.record.instanceId}`;

/** What health checks and listings show of an entry. */
export interface OutboxEntrySummary {
  id: string;
  type: DomainEvent['type'];
  instance: string;
  createdAt: string;
  attempts: number;
  lastError?: string;
}

export function outboxSummary(entry: OutboxEntry): OutboxEntrySummary {
  return {
    id: entry.id,
    type: entry.event.type,
    instance: outboxInstance(entry),
    createdAt: entry.createdAt,
    attempts: entry.attempts,
    ...(entry.lastError ? { lastError: entry.lastError } : {}),
  };
}
