/** Settings of event and chat delivery: the outbox's retries, per-channel timeouts, health thresholds. */
import { HOUR, MINUTE } from '../core/duration.js';
import type { OutboxRetryPolicy } from '../core/outbox.js';
import type { EnvReader } from './env.js';

export interface DeliveryConfig {
  /** Backoff and attempts of outbox deliveries (both runtimes). */
  outboxRetry: OutboxRetryPolicy;
  /** Single process: how often the outbox is polled for due entries (besides right after each write). */
  outboxPollSeconds: number;
  /** How long one chat channel may take for one post or update before it counts as failed. */
  channelTimeoutSeconds: number;
  /** Single process health: the last sweep may be at most this old (default 3 sweep intervals). */
  healthMaxSweepAgeSeconds?: number;
  /** Single process health: the oldest undelivered outbox entry may be at most this old. */
  healthMaxBacklogAgeSeconds: number;
}

export function readDeliveryConfig(r: EnvReader): DeliveryConfig {
  return {
    outboxRetry: {
      maxAttempts: r.int('OUTBOX_MAX_ATTEMPTS', 10, { min: 1, max: 100 }),
      baseDelaySeconds: r.duration('OUTBOX_RETRY_BASE', 15, { minSeconds: 1, maxSeconds: HOUR }),
      maxDelaySeconds: r.duration('OUTBOX_RETRY_MAX', 30 * MINUTE, { minSeconds: 1, maxSeconds: 24 * HOUR }),
    },
    outboxPollSeconds: r.duration('OUTBOX_POLL_EVERY', 10, { minSeconds: 1, maxSeconds: HOUR }),
    channelTimeoutSeconds: r.duration('CHAT_CHANNEL_TIMEOUT', 15, { minSeconds: 1, maxSeconds: 5 * MINUTE }),
    healthMaxSweepAgeSeconds: r.has('HEALTH_MAX_SWEEP_AGE')
      ? r.duration('HEALTH_MAX_SWEEP_AGE', 15 * MINUTE, { minSeconds: 10 })
      : undefined,
    healthMaxBacklogAgeSeconds: r.duration('HEALTH_MAX_BACKLOG_AGE', 10 * MINUTE, { minSeconds: 10 }),
  };
}
