/**
 * Delivers outbox entries until each is acknowledged. An entry is handed to
 * the sink (the in-process event bus in the single process, the SNS events
 * topic on AWS); success removes it, failure schedules the next attempt with
 * exponential backoff, and after the last attempt the entry is marked failed
 * (`lightsout deliveries --failed` lists those).
 *
 * Entries of one instance go out in the order they were written: while one
 * waits for its retry, the later ones of that instance wait too, so a
 * "stopped" retried late never overwrites a "terminated" already shown.
 */
import type { DomainEvent } from '../../core/events.js';
import {
  DEFAULT_OUTBOX_RETRY,
  nextOutboxAttempt,
  type OutboxEntry,
  type OutboxRetryPolicy,
  outboxInstance,
} from '../../core/outbox.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { Outbox } from '../../ports/outbox.js';

export interface OutboxDelivererDeps {
  outbox: Outbox;
  /** Delivers one event; throwing means "not delivered, try again later". */
  sink: (event: DomainEvent) => Promise<void>;
  clock: Clock;
  policy?: OutboxRetryPolicy;
  log?: Log;
}

export type EntryOutcome = 'delivered' | 'retry' | 'failed';

export interface DrainReport {
  delivered: number;
  retried: number;
  failed: number;
  /** Not yet due, or behind an earlier entry of the same instance. */
  waiting: number;
}

export class OutboxDeliverer {
  private running?: Promise<DrainReport>;
  private again = false;

  constructor(private readonly deps: OutboxDelivererDeps) {}

  /**
   * Delivers every entry that is due. Passes never overlap: a call during a
   * pass makes that pass run once more, and resolves when it has.
   * `minAgeSeconds` skips never-attempted entries younger than that (on AWS
   * the stream is delivering those right now).
   */
  async drain(opts: { minAgeSeconds?: number } = {}): Promise<DrainReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let report: DrainReport;
      do {
        this.again = false;
        report = await this.pass(opts.minAgeSeconds ?? 0);
      } while (this.again);
      return report;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves when no pass is running. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** One attempt at one entry; records the outcome in the outbox. */
  async deliver(entry: OutboxEntry): Promise<EntryOutcome> {
    const { outbox, sink, clock } = this.deps;
    const log = this.deps.log ?? silentLog;
    try {
      await sink(entry.event);
    } catch (err) {
      const attempts = entry.attempts + 1;
      const error = err instanceof Error ? err.message : String(err);
      const decision = nextOutboxAttempt(attempts, clock(), this.deps.policy ?? DEFAULT_OUTBOX_RETRY);
      const context = { id: entry.id, event: entry.event.type, instance: outboxInstance(entry), error };
      if (decision.action === 'give-up') {
        await outbox.giveUp(entry.id, { attempts, error });
        log.error('event delivery failed for good; see lightsout deliveries --failed', {
          ...context,
          reason: decision.reason,
        });
        return 'failed';
      }
      await outbox.retryLater(entry.id, { attempts, nextAttemptAt: decision.nextAttemptAt, error });
      log.warn('event delivery failed; will retry', { ...context, reason: decision.reason });
      return 'retry';
    }
    await outbox.delivered(entry.id);
    return 'delivered';
  }

  private async pass(minAgeSeconds: number): Promise<DrainReport> {
    const report: DrainReport = { delivered: 0, retried: 0, failed: 0, waiting: 0 };
    const now = this.deps.clock().getTime();
    const blocked = new Set<string>();
    for (const entry of await this.deps.outbox.pending()) {
      const instance = outboxInstance(entry);
      const young = entry.attempts === 0 && Date.parse(entry.createdAt) > now - minAgeSeconds * 1000;
      if (blocked.has(instance) || young || Date.parse(entry.nextAttemptAt) > now) {
        blocked.add(instance);
        report.waiting += 1;
        continue;
      }
      const outcome = await this.deliver(entry);
      if (outcome === 'delivered') report.delivered += 1;
      else {
        blocked.add(instance);
        if (outcome === 'retry') report.retried += 1;
        else report.failed += 1;
      }
    }
    return report;
  }
}
