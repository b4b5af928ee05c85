/**
 * Consented stops: give consent (a person from chat or the CLI, the AutoStop
 * tag, a group's standing consent), cancel it, move it by an hour, warn ten
 * minutes before, and at the time stop the run through RunStopper with the
 * consent recorded and audited. Each change is written to the record with the
 * `instance.stop-consent` event in the same write (the outbox), so chat hears
 * of it in both runtimes. A firing for an old run, a cancelled or a moved
 * stop does nothing and says why in the log.
 */
import { formatDuration } from '../../core/duration.js';
import { ConflictError } from '../../core/errors.js';
import type { DomainEvent, StopConsentEvent } from '../../core/events.js';
import {
  type InstanceKey,
  type InstanceRecord,
  instanceKeyString,
  type RunActor,
  type RunRef,
} from '../../core/instance.js';
import { isUp } from '../../core/runLifecycle.js';
import {
  type ConsentGiver,
  type ConsentSpec,
  checkLead,
  consentGiverAudit,
  consentGiverText,
  decideFiring,
  type FiringDecision,
  isPerson,
  postponed,
  type StopConsent,
  type StopFiring,
} from '../../core/stopConsent.js';
import { stopProtectedReason } from '../../core/stopRefusal.js';
import { formatDayTimeUtc } from '../../core/when.js';
import { type Log, silentLog } from '../../log.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet } from '../../ports/fleet.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { StopScheduler } from '../../ports/stopScheduler.js';
import { CONFLICT_RETRIES } from '../monitor/context.js';
import type { RunStopper, StopResult } from '../monitor/stop.js';
import { type StopScheduleSyncDeps, syncStopSchedule } from '../monitor/stopScheduleSync.js';

export interface StopConsentDeps {
  store: InstanceStore;
  scheduler: StopScheduler;
  stopper: Pick<RunStopper, 'stop'>;
  audit: AuditLog;
  clock: Clock;
  /**
   * EC2's word on DisableApiStop when consent is given, for every way a
   * consent comes in (commands, clicks, a group's standing consent): the
   * record learns it only at a nag or a refused stop, and a consent given
   * before either would be announced now and refused by EC2 hours later,
   * with nobody there. Cancel and +1h stay open.
   */
  fleet?: Pick<Fleet, 'stopProtected'>;
  /** How long before the stop the warning goes out; default ten minutes. */
  warningSeconds?: number;
  log?: Log;
}

export type ConsentResult =
  | { status: 'done'; record: InstanceRecord; notice: string }
  /** Nothing changed: the run is over or was replaced, or there was nothing to cancel or move. */
  | { status: 'refused'; record?: InstanceRecord; notice: string };

export type FiringOutcome = FiringDecision & { stop?: StopResult };

/** Who carries out a stop consented by a tag or a group: Lights Out itself, on a schedule. */
export const SCHEDULE_ACTOR: RunActor = { platform: 'schedule', id: 'lightsout', name: 'Lights Out' };

export class StopConsentService {
  constructor(private readonly deps: StopConsentDeps) {}

  private get log(): Log {
    return this.deps.log ?? silentLog;
  }

  /** Records consent for this run and schedules the stop; a second consent replaces the first. */
  async give(run: RunRef, spec: ConsentSpec, by: ConsentGiver): Promise<ConsentResult> {
    const now = this.deps.clock();
    if (spec.kind === 'at') {
      const lead = checkLead(new Date(spec.at), now, 'scheduled');
      if (!lead.ok) return { status: 'refused', notice: `Not scheduled: ${lead.reason}.` };
    }
    if (await this.stopProtectedNow(run)) {
      return { status: 'refused', notice: `Not scheduled: ${stopProtectedReason(run)}` };
    }
    const consent = { ...spec, by, givenAt: now.toISOString() } as StopConsent;
    let before: StopConsent | undefined;
    const result = await this.change(run, 'scheduled', (r) => {
      before = r.stopConsent;
      const { consentCancelled: _c, ...rest } = r;
      return { ...rest, stopConsent: consent };
    });
    if (result.status !== 'done') return result;
    const unscheduled = await this.arrangeOrUndo(result.record, before);
    if (unscheduled) return unscheduled;
    await this.audit(now, by, 'consent', run, 'ok', describe(consent));
    return { ...result, notice: `${scheduledText(consent)}.` };
  }

  /** A failed read does not block the consent: when the stop falls due, a refusal is still reported. */
  private async stopProtectedNow(run: RunRef): Promise<boolean> {
    if (!this.deps.fleet) return false;
    try {
      return await this.deps.fleet.stopProtected(run.region, run.instanceId);
    } catch (err) {
      this.log.warn('could not read stop protection; consent given', {
        instance: `${run.region}/${run.instanceId}`,
        error: String(err),
      });
      return false;
    }
  }

  /** Withdraws this run's consent; a standing consent is then not given again to the run. */
  async cancel(run: RunRef, by: RunActor): Promise<ConsentResult> {
    const now = this.deps.clock();
    let had: StopConsent | undefined;
    const result = await this.change(run, 'cancelled', (r) => {
      had = r.stopConsent;
      if (!had) return undefined;
      const { stopConsent: _s, ...rest } = r;
      return { ...rest, consentCancelled: { by, at: now.toISOString() } };
    });
    if (result.status !== 'done') return result;
    if (!had)
      return { status: 'refused', record: result.record, notice: 'No stop is scheduled for this run.' };
    await this.rearrangeQuietly(result.record, run);
    await this.audit(now, by, 'consent-cancel', run, 'ok', `cancelled: ${describe(had)}`);
    return { ...result, notice: `Cancelled: ${describe(had)}.` };
  }

  /** Moves a scheduled stop later by `seconds` (+1h); the warning goes out again before the new time. */
  async postpone(run: RunRef, seconds: number, by: RunActor): Promise<ConsentResult> {
    const now = this.deps.clock();
    let moved: StopConsent | undefined;
    let before: StopConsent | undefined;
    const result = await this.change(run, 'moved', (r) => {
      if (r.stopConsent?.kind !== 'at') return undefined;
      before = r.stopConsent;
      // From the later of the planned time and now: a warning read late still buys the full hour.
      const base = {
        ...r.stopConsent,
        at: new Date(Math.max(Date.parse(r.stopConsent.at), now.getTime())).toISOString(),
      };
      moved = postponed(base, seconds, by);
      return { ...r, stopConsent: moved };
    });
    if (result.status !== 'done') return result;
    if (!moved)
      return {
        status: 'refused',
        record: result.record,
        notice: 'No stop at a time is scheduled for this run.',
      };
    const unscheduled = await this.arrangeOrUndo(result.record, before);
    if (unscheduled) return unscheduled;
    await this.audit(now, by, 'consent-postpone', run, 'ok', describe(moved));
    return { ...result, notice: `Moved: ${describe(moved)}.` };
  }

  /** A stop schedule fired: warn, or stop with the consent recorded, or nothing (logged with why). */
  async handleFiring(firing: StopFiring): Promise<FiringOutcome> {
    const now = this.deps.clock();
    const record = await this.deps.store.get(firing);
    const decision = decideFiring(record, firing, now);
    const context = {
      instance: instanceKeyString(firing),
      kind: firing.kind,
      stopAt: firing.stopAt,
      reason: decision.reason,
    };
    if (decision.act === 'nothing') {
      this.log.info('stop schedule fired; nothing to do', context);
      return decision;
    }
    const consent = record!.stopConsent!;
    if (decision.act === 'warn') {
      const warned = await this.change(firing, 'warned', (r) =>
        r.stopConsent && !r.stopConsent.warnedAt
          ? { ...r, stopConsent: { ...r.stopConsent, warnedAt: now.toISOString() } }
          : undefined,
      );
      this.log.info('stop warning sent', { ...context, result: warned.status });
      return decision;
    }
    const by = isPerson(consent.by) ? consent.by : SCHEDULE_ACTOR;
    const stop = await this.deps.stopper.stop(firing, by, {
      consent: { kind: consent.kind, by: consent.by, givenAt: consent.givenAt },
    });
    this.log.info('consented stop carried out', { ...context, result: stop.status });
    await this.audit(
      now,
      consent.by,
      'consented-stop',
      firing,
      stop.status === 'stopping' ? 'ok' : stop.status,
      `${describe(consent)}; consent given ${consent.givenAt}`,
    );
    return { ...decision, stop };
  }

  /**
   * The idle check found the run idle for its whole window: the "stopping
   * soon" warning goes out (the `warned` event, replied in each message's
   * thread). `done` with an unchanged record when the consent changed meanwhile.
   */
  async idleWarned(run: RunRef, reason: string): Promise<ConsentResult> {
    const now = this.deps.clock();
    const result = await this.change(run, 'warned', (r) =>
      r.stopConsent?.kind === 'idle' && !r.stopConsent.warnedAt
        ? { ...r, stopConsent: { ...r.stopConsent, warnedAt: now.toISOString() } }
        : undefined,
    );
    this.log.info('idle stop warning sent', {
      instance: instanceKeyString(run),
      reason,
      result: result.status,
    });
    return result;
  }

  /** Busy again after the warning: the warning is withdrawn and the consent is watched again. */
  async idleCalledOff(run: RunRef, reason: string): Promise<ConsentResult> {
    const result = await this.change(run, 'moved', (r) => {
      if (r.stopConsent?.kind !== 'idle' || !r.stopConsent.warnedAt) return undefined;
      const { warnedAt: _w, ...rest } = r.stopConsent;
      return { ...r, stopConsent: rest };
    });
    this.log.info('idle stop called off', {
      instance: instanceKeyString(run),
      reason,
      result: result.status,
    });
    return result;
  }

  /**
   * Still idle when the grace period after the warning is over: stop through
   * RunStopper with the consent recorded and audited. Undefined when the
   * consent was cancelled (or is no longer a warned idle one) meanwhile.
   */
  async stopIdle(run: RunRef, reason: string): Promise<StopResult | undefined> {
    const now = this.deps.clock();
    const record = await this.deps.store.get(run);
    const consent = record?.stopConsent;
    if (
      !record ||
      !sameSecond(record.launchTime, run.launchTime) ||
      consent?.kind !== 'idle' ||
      !consent.warnedAt
    )
      return undefined;
    const by = isPerson(consent.by) ? consent.by : SCHEDULE_ACTOR;
    const stop = await this.deps.stopper.stop(run, by, {
      consent: { kind: 'idle', by: consent.by, givenAt: consent.givenAt },
    });
    this.log.info('consented idle stop carried out', {
      instance: instanceKeyString(run),
      reason,
      result: stop.status,
    });
    await this.audit(
      now,
      consent.by,
      'consented-stop',
      run,
      stop.status === 'stopping' ? 'ok' : stop.status,
      `${describe(consent)}; consent given ${consent.givenAt}; ${reason}`,
    );
    return stop;
  }

  /**
   * `arrange`, and when the scheduler fails, the consent put back as it was
   * `before`: the record (and so the message) never shows a stop that no
   * schedule will carry out, and whoever asked is told it was not scheduled.
   * Undefined when the schedule is in place. The restored consent's schedules
   * are arranged again: what the failed attempt made is deleted, and what it
   * may have taken of the old ones is made again.
   */
  private async arrangeOrUndo(
    record: InstanceRecord,
    before: StopConsent | undefined,
  ): Promise<ConsentResult | undefined> {
    try {
      await this.arrange(record);
      return undefined;
    } catch (err) {
      const wanted = record.stopConsent;
      this.log.error('stop schedule not made; consent put back as it was', {
        instance: instanceKeyString(record),
        error: String(err),
      });
      // If this write fails too, the error is the caller's answer: the consent stays, and says so in the log.
      const undone = await this.change(record, before ? 'moved' : 'cancelled', (r) => {
        if (JSON.stringify(r.stopConsent) !== JSON.stringify(wanted)) return undefined;
        const { stopConsent: _s, ...rest } = r;
        return before ? { ...rest, stopConsent: before } : rest;
      });
      await this.rearrangeQuietly(undone.record ?? (await this.deps.store.get(record)), record);
      const why = err instanceof Error ? err.message : String(err);
      return {
        status: 'refused',
        record: undone.record ?? record,
        notice: `Not scheduled: the stop schedule could not be made (${why}). Nothing changed; try again in a minute.`,
      };
    }
  }

  /** Puts the schedules in line with the record's consent: an `at` consent has them; anything else none. */
  private async arrange(record: InstanceRecord): Promise<void> {
    await syncStopSchedule(this.syncDeps(), record, record);
  }

  /**
   * `arrange` once the record no longer names a stop at a time (cancelled,
   * or put back after a failure). A failure is logged, not thrown: the
   * change is already made, so a schedule left behind fires into a record
   * with nothing to do and deletes itself, while throwing would tell the
   * person "nothing changed" about a change that was made.
   */
  private async rearrangeQuietly(record: InstanceRecord | undefined, key: InstanceKey): Promise<void> {
    try {
      await syncStopSchedule(this.syncDeps(), key, record);
    } catch (err) {
      this.log.warn('stop schedules not arranged; what is left will fire into nothing', {
        instance: instanceKeyString(key),
        error: String(err),
      });
    }
  }

  private syncDeps(): StopScheduleSyncDeps {
    const { store, scheduler, clock, warningSeconds } = this.deps;
    return { store, scheduler, clock, warningSeconds, log: this.log };
  }

  /**
   * Read-modify-write of the live run with the consent event in the same
   * write. `change` returning undefined leaves the record alone ('done' with
   * the record as it is; the caller words it).
   */
  private async change(
    run: RunRef,
    kind: StopConsentEvent['change'],
    change: (r: InstanceRecord) => InstanceRecord | undefined,
  ): Promise<ConsentResult> {
    for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
      const current = await this.deps.store.get(run);
      if (!current)
        return { status: 'refused', notice: `Lights Out has no record of ${instanceKeyString(run)}.` };
      if (!sameSecond(current.launchTime, run.launchTime)) {
        return {
          status: 'refused',
          record: current,
          notice: `${instanceKeyString(run)} was restarted since; that run is over.`,
        };
      }
      if (!isUp(current.state)) {
        return {
          status: 'refused',
          record: current,
          notice: `${instanceKeyString(run)} is ${current.state}; there is nothing to stop.`,
        };
      }
      const next = change(current);
      if (!next) return { status: 'done', record: current, notice: '' };
      const at = this.deps.clock().toISOString();
      const event: DomainEvent = {
        type: 'instance.stop-consent',
        record: { ...next, version: current.version + 1 },
        change: kind,
        at,
      };
      try {
        const saved = await this.deps.store.put(next, { expectedVersion: current.version, events: [event] });
        return { status: 'done', record: saved, notice: '' };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(
      `Could not change the stop consent of ${instanceKeyString(run)}: the record kept changing`,
    );
  }

  private async audit(
    now: Date,
    by: ConsentGiver,
    action: string,
    run: RunRef,
    result: string,
    detail: string,
  ): Promise<void> {
    try {
      await this.deps.audit.record({
        at: now.toISOString(),
        actor: consentGiverAudit(by),
        action,
        target: `${instanceKeyString(run)}@${run.launchTime}`,
        result,
        detail,
      });
    } catch (err) {
      this.log.error('audit write failed', { action, actor: consentGiverAudit(by), error: String(err) });
    }
  }
}

/** `stop at Wed 2 Dec 19:00 UTC, consented by @ana` for notices, logs and the audit. */
export function describe(consent: StopConsent): string {
  const what =
    consent.kind === 'at'
      ? `stop at ${formatDayTimeUtc(new Date(consent.at))}`
      : `stop once idle for ${formatDuration(consent.forSeconds)}`;
  return `${what}, consented by ${consentGiverText(consent.by)}`;
}

function scheduledText(consent: StopConsent): string {
  return consent.kind === 'at'
    ? `Stop scheduled for ${formatDayTimeUtc(new Date(consent.at))} by ${consentGiverText(consent.by)}`
    : `Stop when idle scheduled by ${consentGiverText(consent.by)}`;
}

const sameSecond = (a: string, b: string): boolean =>
  Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);
