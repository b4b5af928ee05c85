import type { DomainEvent } from '../core/events.js';
import type { ChatMessageRef, InstanceKey, InstanceRecord, InstanceState } from '../core/instance.js';

export interface InstanceFilter {
  region?: string;
  group?: string;
  states?: InstanceState[];
}

export interface PutOptions {
  expectedVersion?: number;
  /** Domain events this change causes, written to the outbox with the record. */
  events?: DomainEvent[];
}

/**
 * Persistence for instance records. Implementations: DynamoDB (Lambda) and
 * SQLite (single process); one contract suite runs against both.
 */
export interface InstanceStore {
  get(key: InstanceKey): Promise<InstanceRecord | undefined>;
  /**
   * Creates or replaces a record. With `expectedVersion` the write succeeds only
   * if the stored version matches (0 = must not exist), else throws ConflictError.
   * The store sets `version` to expectedVersion + 1 (or stored + 1) and returns it.
   * `events` go into the outbox (src/ports/outbox.ts) in the same transaction:
   * both are written, or neither is.
   */
  put(record: InstanceRecord, opts?: PutOptions): Promise<InstanceRecord>;
  delete(key: InstanceKey): Promise<void>;
  list(filter?: InstanceFilter): Promise<InstanceRecord[]>;
  /**
   * Records where the chat layer posted a nag for this run. Appends without
   * touching other fields, so it cannot race the engine's writes; replaces a
   * ref with the same platform+channelId.
   */
  addChatRef(key: InstanceKey, launchTime: string, ref: ChatMessageRef): Promise<void>;
}
