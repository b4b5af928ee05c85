export type { AddressOwners } from './addressOwners.js';
export type { CleanupOutcome, CleanupOutcomeStore } from './cleanupOutcomeStore.js';
export type { Clock } from './clock.js';
export type { DnsZones } from './dnsZones.js';
export type { Fleet, FleetInstance, FleetQuery, StateTransition } from './fleet.js';
export type { InstanceFilter, InstanceStore } from './instanceStore.js';
export type { NagDueHandler, NagSchedule, NagScheduler } from './nagScheduler.js';
export type { DomainEventListener, DomainEventPublisher, Notifier } from './notifier.js';
export type { ServiceRegistry } from './serviceRegistry.js';
