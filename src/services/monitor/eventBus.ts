/**
 * In-process domain events for the single process: chat updates and cleanup
 * hooks subscribe here instead of to SNS. A failing listener is logged and
 * never breaks the other listeners; `deliver` (what the outbox uses) then
 * throws, so the event is retried. Listeners must therefore tolerate the same
 * event twice (chat rewrites and claims are idempotent; cleanup skips a done one).
 */
import type { DomainEvent } from '../../core/events.js';
import { type Log, silentLog } from '../../log.js';
import type { DomainEventListener, DomainEventPublisher } from '../../ports/notifier.js';

export class InProcessEventBus implements DomainEventPublisher {
  private readonly listeners = new Set<DomainEventListener>();

  constructor(private readonly log: Log = silentLog) {}

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: DomainEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publish(event: DomainEvent): Promise<void> {
    await this.deliver(event).catch(() => undefined);
  }

  /** Hands `event` to every listener; throws when any of them failed (each failure is logged). */
  async deliver(event: DomainEvent): Promise<void> {
    const results = await Promise.allSettled([...this.listeners].map((listener) => listener(event)));
    const failures: string[] = [];
    for (const result of results) {
      if (result.status === 'rejected') {
        failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
        this.log.error('domain event listener failed', {
          event: event.type,
          instance: `${event.record.region}/${event.record.instanceId}`,
          error: result.reason instanceof Error ? result.reason.message : String(result.reason),
        });
      }
    }
    if (failures.length) throw new Error(`${event.type} not delivered: ${failures.join('; ')}`);
  }
}
