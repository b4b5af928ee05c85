/**
 * Record writes shared by the use cases: state changes (EC2 events, sweeps,
 * stale schedules) and read-modify-write updates, all with conditional writes
 * on `version`, retried a few times by re-reading when another writer won.
 */
import { ConflictError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { InstanceKey, InstanceRecord, InstanceState } from '../../core/instance.js';
import { instanceKeyString } from '../../core/instance.js';
import {
  applyStateChange,
  type InstanceFacts,
  isUp,
  type LifecycleOutcome,
  type UnseenEnd,
  withPrice,
} from '../../core/runLifecycle.js';
import { readTagPolicy } from '../../core/tagPolicy.js';
import { silentLog } from '../../log.js';
import { applyConsentSchedule, type ConsentScheduleChange, upkeepConsent } from './consentUpkeep.js';
import { CONFLICT_RETRIES, type MonitorDeps, policyDefaults } from './context.js';

/** How long a stop requested from chat may go unconfirmed by EC2 before a `running` counts again. */
export const STOP_CONFIRM_MS = 10 * 60_000;

/** Re-reads and retries `attempt` while it loses conditional-write races. */
export async function withConflictRetry<T>(key: InstanceKey, attempt: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i <= CONFLICT_RETRIES; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      last = err;
    }
  }
  throw new ConflictError(
    `Gave up on ${instanceKeyString(key)} after ${CONFLICT_RETRIES + 1} conflicting writes`,
    {
      cause: last,
    },
  );
}

/**
 * Read-modify-write of one record. `change` returns the new record, or
 * undefined to leave it alone; it may throw to refuse (e.g. StaleRunError).
 */
export async function updateRecord(
  deps: MonitorDeps,
  key: InstanceKey,
  change: (current: InstanceRecord | undefined) => InstanceRecord | undefined,
): Promise<InstanceRecord | undefined> {
  return withConflictRetry(key, async () => {
    const current = await deps.store.get(key);
    const next = change(current);
    if (!next) return current;
    return deps.store.put(next, { expectedVersion: current?.version ?? 0 });
  });
}

/** Due time handed to a scheduler: never in the past, so one-shot `at()` schedules stay valid. */
export function scheduleTime(nextNagAt: string, now: Date): string {
  return new Date(Math.max(Date.parse(nextNagAt), now.getTime())).toISOString();
}

/**
 * Applies one observed state (an EC2 event, or what a sweep or a nag saw) to
 * the record, then moves the schedule and emits the domain event it implies.
 */
export async function applyObservedState(
  deps: MonitorDeps,
  key: InstanceKey,
  observed: { state: InstanceState; at: string; facts?: InstanceFacts },
): Promise<LifecycleOutcome> {
  const log = deps.log ?? silentLog;
  const now = deps.clock();
  let saved: InstanceRecord | undefined;
  let consentSchedule: ConsentScheduleChange;
  const outcome = await withConflictRetry(key, async () => {
    consentSchedule = undefined;
    const existing = await deps.store.get(key);
    const pending = pendingStop(existing, observed, now);
    if (pending?.kind === 'ignore') return pending;
    const policy = readTagPolicy(observed.facts?.tags ?? existing?.tags ?? {}, policyDefaults(deps.settings));
    const result = applyStateChange(
      pending ? pending.basis : existing,
      { ...key, state: observed.state, at: observed.at, facts: observed.facts },
      policy,
      { now, tombstoneTtlSeconds: deps.settings.tombstoneTtlSeconds },
    );
    if (result.kind === 'update' && deps.pricer && observed.facts && isUp(result.record.state)) {
      // Priced with the write this change makes anyway: a run is priced when first seen, never by a quiet sweep.
      const sameRun = existing && Date.parse(existing.launchTime) === Date.parse(result.record.launchTime);
      const price = await deps.pricer.priceOf(
        sameRun ? existing.price : undefined,
        { region: key.region, ...observed.facts },
        policy.hourlyCostUsd,
        now,
      );
      result.record = withPrice(result.record, price);
    }
    if (result.kind === 'update' && result.record.stopRequestedAt !== undefined) {
      const { stopRequestedAt: _confirmed, stopRequestedBy: _by, ...record } = result.record;
      result.record = record;
    }
    if (result.kind === 'update') {
      const expectedVersion = existing?.version ?? 0;
      // Stopping or replacing the run ends its consented stop; an AutoStop tag gives one (see consentUpkeep.ts).
      // Standing consent needs a stop scheduler to carry it out; without one (the CLI) none is given.
      const upkeep = upkeepConsent(
        existing,
        result.record,
        deps.stopScheduler ? policy : { ...policy, autoStop: undefined },
        deps.settings,
        now,
      );
      result.record = upkeep.record;
      consentSchedule = upkeep.schedule;
      if (upkeep.reason)
        log.info('consented stop', { instance: instanceKeyString(key), reason: upkeep.reason });
      const consentEvents: DomainEvent[] = upkeep.event
        ? [{ ...upkeep.event, record: { ...result.record, version: expectedVersion + 1 } } as DomainEvent]
        : [];
      // The event goes into the outbox in the same write: a crash after it cannot lose it.
      const events: DomainEvent[] = result.unseenEnd ? [unseenEndEvent(result.unseenEnd)] : [];
      if (result.event)
        events.push({
          type: result.event.type,
          record: { ...result.record, version: expectedVersion + 1 },
          runtimeSeconds: result.event.runtimeSeconds,
          at: observed.at,
        });
      events.push(...consentEvents);
      saved = await deps.store.put(result.record, { expectedVersion, events });
    } else if (result.kind === 'untrack') {
      await deps.store.delete(key);
    }
    return result;
  });

  const context = {
    instance: instanceKeyString(key),
    state: observed.state,
    at: observed.at,
    reason: outcome.reason,
  };
  if (outcome.kind === 'ignore') {
    log.debug('state change ignored', context);
    return outcome;
  }
  log.info(outcome.kind === 'untrack' ? 'instance untracked' : 'state change applied', context);
  await applyConsentSchedule(
    deps,
    key,
    outcome.kind === 'untrack' ? { kind: 'cancel' } : consentSchedule,
    outcome.kind === 'untrack' ? undefined : saved,
  );
  if (outcome.kind === 'untrack' || outcome.schedule === 'cancel') {
    await deps.scheduler.cancel(key);
  } else if (saved?.nextNagAt) {
    await deps.scheduler.schedule({
      ...key,
      launchTime: saved.launchTime,
      dueAt: scheduleTime(saved.nextNagAt, now),
    });
  }
  const wake: DomainEvent[] = [];
  if (outcome.kind === 'update' && outcome.unseenEnd) {
    log.info('previous run closed: its stop was not seen', {
      ...context,
      previousLaunch: outcome.unseenEnd.record.launchTime,
      lastKnownUp: outcome.unseenEnd.at,
    });
    wake.push(unseenEndEvent(outcome.unseenEnd));
  }
  if (outcome.kind === 'update' && outcome.event && saved) {
    wake.push({
      type: outcome.event.type,
      record: saved,
      runtimeSeconds: outcome.event.runtimeSeconds,
      at: observed.at,
    });
  }
  for (const event of wake) {
    try {
      // Already in the outbox; this only wakes the deliverer (see MonitorDeps.events).
      await deps.events.publish(event);
    } catch (err) {
      log.warn('event delivery not started; the outbox will deliver it', {
        ...context,
        event: event.type,
        error: String(err),
      });
    }
  }
  return outcome;
}

/** The `instance.stopped` of a run whose stop nobody saw, dated when it was last known to be up. */
function unseenEndEvent(end: UnseenEnd): DomainEvent {
  return { type: 'instance.stopped', record: end.record, runtimeSeconds: end.runtimeSeconds, at: end.at };
}

/**
 * A stop requested from chat leaves the record `stopping` before EC2 says so
 * (see MonitorService.stopRequested). Observations of that run then read:
 * - `pending`/`running`: EC2 has not caught up (DescribeInstances lags the
 *   StopInstances call), so ignored, and nothing re-arms the nags; after
 *   STOP_CONFIRM_MS, though, a still-running instance evidently did not stop,
 *   and it is tracked as running again;
 * - any ending state: the stop EC2 confirms, applied as if the record were
 *   still `running`, so it emits `instance.stopped` with EC2's time, once.
 */
function pendingStop(
  existing: InstanceRecord | undefined,
  observed: { state: InstanceState; facts?: { launchTime: string } },
  now: Date,
): { kind: 'ignore'; reason: string } | { kind: 'basis'; basis: InstanceRecord } | undefined {
  if (!existing?.stopRequestedAt) return undefined;
  const launchTime = observed.facts?.launchTime ?? existing.launchTime;
  if (Date.parse(launchTime) !== Date.parse(existing.launchTime)) return undefined;
  const asRunning: InstanceRecord = { ...existing, state: 'running' };
  if (!isUp(observed.state)) return { kind: 'basis', basis: asRunning };
  if (now.getTime() - Date.parse(existing.stopRequestedAt) < STOP_CONFIRM_MS) {
    return {
      kind: 'ignore',
      reason: `stop requested at ${existing.stopRequestedAt}; EC2 still reports ${observed.state}`,
    };
  }
  return { kind: 'basis', basis: asRunning };
}

/** Cancels the instance's schedule only if it still belongs to `launchTime` (a newer run keeps its own). */
export async function cancelScheduleOfRun(
  deps: MonitorDeps,
  key: InstanceKey,
  launchTime: string,
): Promise<void> {
  const current = await deps.scheduler.get(key);
  if (current && Date.parse(current.launchTime) === Date.parse(launchTime)) await deps.scheduler.cancel(key);
}
