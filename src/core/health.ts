/**
 * Readiness of the single process, decided from what it last did: a sweep
 * that failed or is too old means AWS is out of reach (or the loop is stuck);
 * an outbox entry waiting too long means chat is. Pure: `now` comes in.
 */
import type { OutboxEntrySummary } from './outbox.js';

export interface SweepStatus {
  at: string;
  ok: boolean;
  /** The error of a failed sweep. */
  error?: string;
}

export interface HealthInput {
  /** Undefined until the first sweep finished. */
  lastSweep?: SweepStatus;
  /** The last sweep that succeeded (the same as lastSweep when that one did). */
  lastGoodSweepAt?: string;
  outbox: { depth: number; failed: number; oldestPending?: OutboxEntrySummary };
  maxSweepAgeSeconds: number;
  maxBacklogAgeSeconds: number;
}

export interface HealthReport {
  ready: boolean;
  /** Why not ready; empty when ready. */
  reasons: string[];
  lastSweep: SweepStatus | null;
  outbox: {
    depth: number;
    failed: number;
    oldestUndelivered: (OutboxEntrySummary & { ageSeconds: number }) | null;
  };
  checkedAt: string;
}

export function assessHealth(input: HealthInput, now: Date): HealthReport {
  const reasons: string[] = [];
  const age = (iso: string) => Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  const sweep = input.lastSweep;
  if (!sweep) reasons.push('no sweep has finished yet');
  else if (!sweep.ok) reasons.push(`the last sweep failed: ${sweep.error ?? 'unknown error'}`);
  const good = input.lastGoodSweepAt;
  if (sweep && good && age(good) > input.maxSweepAgeSeconds) {
    reasons.push(`the last successful sweep was ${age(good)} s ago (limit ${input.maxSweepAgeSeconds} s)`);
  }
  const oldest = input.outbox.oldestPending;
  const oldestAge = oldest ? age(oldest.createdAt) : 0;
  if (oldest && oldestAge > input.maxBacklogAgeSeconds) {
    reasons.push(`an event has waited ${oldestAge} s for delivery (limit ${input.maxBacklogAgeSeconds} s)`);
  }
  return {
    ready: reasons.length === 0,
    reasons,
    lastSweep: sweep ?? null,
    outbox: {
      depth: input.outbox.depth,
      failed: input.outbox.failed,
      oldestUndelivered: oldest ? { ...oldest, ageSeconds: oldestAge } : null,
    },
    checkedAt: now.toISOString(),
  };
}
