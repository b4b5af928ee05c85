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

/** Outcome of the cleanup hooks after a termination, for the group's chat channels. */
export interface InstanceCleanedUpEvent {
  type: 'instance.cleaned-up';
  record: InstanceRecord;
  /** One line per hook, e.g. `removed web-1.internal A`, `webhook failed: 500`. */
  outcomes: { hook: string; ok: boolean; summary: string }[];
  at: string;
}

/**
 * A consented stop changed: scheduled (by a person, a tag or a group),
 * moved (+1h), cancelled, or due soon (`warned`: the stop is ten minutes away).
 * Chat rewrites the run's messages; a warning also replies in their thread.
 */
export interface StopConsentEvent {
  type: 'instance.stop-consent';
  /** The record after the change; `stopConsent` is the consent now in force (absent once cancelled). */
  record: InstanceRecord;
  change: 'scheduled' | 'moved' | 'cancelled' | 'warned';
  at: string;
}

export type DomainEvent =
  | InstanceStoppedEvent
  | InstanceTerminatedEvent
  | InstanceCleanedUpEvent
  | StopConsentEvent;
