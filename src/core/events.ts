/**
 * Domain events the engine emits. Chat updates and cleanup hooks subscribe to
 * these rather than to raw EC2 events, so they see one meaning per event.
 */
import type { InstanceRecord } from './instance.js';

export interface InstanceStoppedEvent {
  type: 'instance.stopped';
  record: InstanceRecord;
  runtimeSeconds: number;
  at: string;
}

export interface InstanceTerminatedEvent {
  type: 'instance.terminated';
  /** The record as last seen while running: it still carries the IPs and tags cleanup needs. */
  record: InstanceRecord;
  runtimeSeconds: number;
  at: string;
}

export type DomainEvent = InstanceStoppedEvent | InstanceTerminatedEvent;
