import type { DomainEvent } from '../core/events.js';
import type { NagNotification } from '../core/notification.js';

/**
 * Where nags go: SNS with `Target=<group>` in Lambda mode, the chat layer
 * (and optionally SNS) in the single process. Throwing means "not delivered;
 * retry": the caller must not record the nag as sent.
 */
export interface Notifier {
  notify(notification: NagNotification): Promise<void>;
}

/** Subscribers to domain events (chat message updates, cleanup hooks). */
export type DomainEventListener = (event: DomainEvent) => Promise<void>;

export interface DomainEventPublisher {
  publish(event: DomainEvent): Promise<void>;
}
