/**
 * In-process domain events for the single process: chat updates and cleanup
 * hooks subscribe here instead of to SNS. A failing listener is logged and
 * never breaks the engine or the other listeners.
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
    const results = await Promise.allSettled([...this.listeners].map((listener) => listener(event)));
    for (const result of results) {
      if (result.status === 'rejected') {
        this.log.error('domain event listener failed', {
          event: event.type,
          instance: `${event.record.region}/${event.record.instanceId}`,
          error: result.reason instanceof Error ? result.reason.message : String(result.reason),
        });
      }
    }
  }
}
