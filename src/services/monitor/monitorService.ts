/**
 * The monitoring engine's use cases (MonitorApi), composed from ports. Both
 * runtimes and the CLI build one of these; the chat layer calls snooze,
 * extend and stopRequested on it.
 */
import { DUE_NAGS_AT_ONCE, settleEach } from '../../core/concurrency.js';
import { formatDuration } from '../../core/duration.js';
import { ExtensionCapError, NotFoundError, StaleRunError, ValidationError } from '../../core/errors.js';
import { DEFAULT_MAX_EXTENSION_SECONDS, extendRun } from '../../core/extensionCap.js';
import {
  INSTANCE_STATES,
  type InstanceKey,
  type InstanceRecord,
  type InstanceState,
  instanceKeyString,
  type RunActor,
  runtimeSeconds,
} from '../../core/instance.js';
import { isUp, plannedNagAt } from '../../core/runLifecycle.js';
import type { StopConsentRecord } from '../../core/stopConsent.js';
import { silentLog } from '../../log.js';
import type { FleetInstance } from '../../ports/fleet.js';
import type { NagSchedule } from '../../ports/nagScheduler.js';
import type {
  DueNagOutcome,
  MonitorApi,
  ReconcileReport,
  RunRef,
  StateChangeInput,
  StateChangeResult,
} from './api.js';
import type { MonitorDeps } from './context.js';
import { processNagDue } from './nagDue.js';
import { reconcile } from './reconciler.js';
import { applyObservedState, scheduleTime, updateRecord } from './recordWrites.js';

export class MonitorService implements MonitorApi {
  constructor(private readonly deps: MonitorDeps) {}

  /**
   * An EC2 state change. A `running` event describes the instance once, for
   * its launch time (which identifies the run) and its tags; EC2 may already
   * report a later state than the event, and then the later state wins. An
   * ending event (stopping, stopped, shutting-down, terminated) for an
   * instance we have a record of needs no call: the record already holds the
   * run, tags and IPs. `pending` is always followed by `running`, so it is
   * left to that event, saving one DescribeInstances per start.
   */
  async handleStateChange(input: StateChangeInput): Promise<void> {
    if (!INSTANCE_STATES.includes(input.state as InstanceState)) {
      throw new ValidationError(
        `Unknown instance state "${input.state}"; expected one of ${INSTANCE_STATES.join(', ')}`,
      );
    }
    const [result] = await this.handleStateChanges([input]);
    if (result?.error) throw result.error;
  }

  async handleStateChanges(inputs: StateChangeInput[]): Promise<StateChangeResult[]> {
    const log = this.deps.log ?? silentLog;
    const results = new Map<StateChangeInput, StateChangeResult>(inputs.map((input) => [input, { input }]));
    // Applied in the order things happened, whatever order the batch arrived in.
    const todo = inputs
      .filter((i) => INSTANCE_STATES.includes(i.state as InstanceState) && i.state !== 'pending')
      .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    for (const i of inputs) {
      if (!INSTANCE_STATES.includes(i.state as InstanceState)) {
        log.warn('unknown instance state ignored', { instanceId: i.instanceId, state: i.state });
      }
    }

    const needFacts = new Map<string, Set<string>>();
    for (const i of todo) {
      const known =
        !isUp(i.state as InstanceState) &&
        (await this.deps.store.get({ region: i.region, instanceId: i.instanceId }));
      if (!known) needFacts.set(i.region, (needFacts.get(i.region) ?? new Set()).add(i.instanceId));
    }
    const facts = new Map<string, FleetInstance>();
    for (const [region, ids] of needFacts) {
      try {
        const found = await this.deps.fleet.find(region, { instanceIds: [...ids] });
        for (const f of found) facts.set(instanceKeyString(f), f);
      } catch (error) {
        // Without EC2's answer none of this region's items can be applied; all are retried.
        for (const i of todo) if (i.region === region) results.set(i, { input: i, error });
      }
    }

    for (const i of todo) {
      if (results.get(i)?.error) continue;
      try {
        await applyObservedState(
          this.deps,
          { region: i.region, instanceId: i.instanceId },
          {
            state: i.state as InstanceState,
            at: i.time,
            facts: facts.get(instanceKeyString(i)),
          },
        );
      } catch (error) {
        log.error('state change failed', {
          instance: instanceKeyString(i),
          state: i.state,
          error: String(error),
        });
        results.set(i, { input: i, error });
      }
    }
    return inputs.map((i) => results.get(i)!);
  }

  async handleNagDue(due: NagSchedule): Promise<void> {
    await processNagDue(this.deps, due);
  }

  async runDueNags(opts: { dryRun?: boolean } = {}): Promise<DueNagOutcome[]> {
    const now = this.deps.clock().getTime();
    const due = (await this.deps.scheduler.list())
      .filter((s) => Date.parse(s.dueAt) <= now)
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
    // Side by side with a bound: one instance whose EC2 call hangs holds up only its own nag.
    const settled = await settleEach(due, DUE_NAGS_AT_ONCE, (schedule) =>
      processNagDue(this.deps, schedule, opts),
    );
    const outcomes: DueNagOutcome[] = settled.map((result, i) => {
      const schedule = due[i]!;
      const instance = instanceKeyString(schedule);
      if (result.status === 'fulfilled') return { instance, dueAt: schedule.dueAt, ...result.value };
      const err = result.reason;
      (this.deps.log ?? silentLog).error('due nag failed', { instance, error: String(err) });
      return {
        instance,
        dueAt: schedule.dueAt,
        action: 'retry',
        reason: `failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    });
    return outcomes;
  }

  reconcile(opts: { dryRun?: boolean } = {}): Promise<ReconcileReport> {
    return reconcile(this.deps, opts);
  }

  get(key: InstanceKey): Promise<InstanceRecord | undefined> {
    return this.deps.store.get(key);
  }

  async snooze(run: RunRef, until: Date, by: string): Promise<InstanceRecord> {
    const now = this.deps.clock();
    if (Number.isNaN(until.getTime()) || until.getTime() <= now.getTime()) {
      throw new ValidationError('Snooze needs a time in the future, e.g. 2h from now or tomorrow 09:00');
    }
    const saved = await this.changeRun(run, (r) => {
      const snoozed = { ...r, snoozedUntil: until.toISOString() };
      return { ...snoozed, nextNagAt: plannedNagAt(snoozed).toISOString() };
    });
    (this.deps.log ?? silentLog).info('snoozed', {
      instance: instanceKeyString(run),
      until: until.toISOString(),
      by,
    });
    return this.reschedule(saved, now);
  }

  /**
   * Extends this run's threshold by `bySeconds`. When the run is already over
   * its threshold, the extension counts from now, so "extend 2h" always buys
   * two quiet hours. Refused with ExtensionCapError once the run's total
   * extension would pass MAX_EXTENSION.
   */
  async extend(run: RunRef, bySeconds: number, by: string): Promise<InstanceRecord> {
    if (!Number.isInteger(bySeconds) || bySeconds <= 0) {
      throw new ValidationError(`Extend needs a positive duration such as 2h or 30m; got ${bySeconds}s`);
    }
    const now = this.deps.clock();
    const cap = this.deps.settings.maxExtensionSeconds ?? DEFAULT_MAX_EXTENSION_SECONDS;
    const saved = await this.changeRun(run, (r) => {
      const decision = extendRun(r, bySeconds, now, cap);
      if (!decision.ok) throw new ExtensionCapError(decision.reason);
      const extended = { ...r, extensionSeconds: decision.extensionSeconds };
      return { ...extended, nextNagAt: plannedNagAt(extended).toISOString() };
    });
    (this.deps.log ?? silentLog).info('extended', {
      instance: instanceKeyString(run),
      by,
      extension: formatDuration(saved.extensionSeconds),
    });
    return this.reschedule(saved, now);
  }

  /**
   * Someone stopped the run through Lights Out (StopInstances already
   * succeeded; see RunStopper). The record turns `stopping` now, as EC2 is
   * about to report, with who stopped it and the runtime at that moment in
   * `lastStop`: a reconcile sweep or nag landing before EC2's own event then
   * finds nothing running to re-arm, and a late click or event reads the true
   * outcome. The `instance.stopped` event still comes from EC2's stopping or
   * stopped event, which confirms the stop (see applyObservedState).
   * Repeating the request for the same run changes nothing.
   */
  async stopRequested(
    run: RunRef,
    by: RunActor,
    opts: { hibernated?: boolean; consent?: StopConsentRecord } = {},
  ): Promise<InstanceRecord> {
    const now = this.deps.clock();
    const at = now.toISOString();
    let already: InstanceRecord | undefined;
    // Stop schedules exist only for a consent; looking for them costs a ListSchedules per kind,
    // which a burst of Stop clicks on Lambda would spend against Scheduler's rate limit for nothing.
    let consented = false;
    const saved = await this.changeRun(
      run,
      (r) => {
        consented = !!(r.stopConsent || r.consentCancelled);
        return {
          ...r,
          state: 'stopping',
          stateChangedAt: at,
          stopRequestedAt: r.stopRequestedAt ?? at,
          stopRequestedBy: by,
          lastStop: {
            by,
            at,
            runtimeSeconds: runtimeSeconds(r, now),
            ...(opts.hibernated ? { hibernated: true } : {}),
            ...(opts.consent ? { consent: opts.consent } : {}),
          },
          nextNagAt: undefined,
          // The run is stopping: whatever stop was consented for later is done with.
          stopConsent: undefined,
        };
      },
      (current) => {
        already = current.lastStop && sameRun(current, run) ? current : undefined;
        // A repeated request: this run's consent, if it had one, was cleared by the first.
        if (already) consented = !!(already.lastStop?.consent || already.consentCancelled);
        return already;
      },
    );
    await this.deps.scheduler.cancel(run);
    if (consented) await this.deps.stopScheduler?.cancel(run);
    if (!already) {
      (this.deps.log ?? silentLog).info('stop requested; nags cancelled', {
        instance: instanceKeyString(run),
        by: `${by.platform}:${by.id}`,
      });
    }
    return saved;
  }

  /** Read-modify-write of the current run; refuses unknown instances and ended or replaced runs. */
  private async changeRun(
    run: RunRef,
    change: (r: InstanceRecord) => InstanceRecord,
    unchanged?: (r: InstanceRecord) => InstanceRecord | undefined,
  ): Promise<InstanceRecord> {
    let kept: InstanceRecord | undefined;
    const saved = await updateRecord(this.deps, run, (current) => {
      if (!current) throw new NotFoundError(`Lights Out has no record of ${instanceKeyString(run)}`);
      kept = unchanged?.(current);
      if (kept) return undefined;
      if (!sameRun(current, run) || !isUp(current.state)) {
        throw new StaleRunError(
          `${instanceKeyString(run)} is no longer running the run launched ${run.launchTime} (now ${current.state}, launched ${current.launchTime})`,
        );
      }
      return change(current);
    });
    if (kept) return kept;
    if (!saved) throw new NotFoundError(`Lights Out has no record of ${instanceKeyString(run)}`);
    return saved;
  }

  private async reschedule(record: InstanceRecord, now: Date): Promise<InstanceRecord> {
    if (record.nextNagAt) {
      await this.deps.scheduler.schedule({
        region: record.region,
        instanceId: record.instanceId,
        launchTime: record.launchTime,
        dueAt: scheduleTime(record.nextNagAt, now),
      });
    }
    return record;
  }
}

const sameRun = (record: InstanceRecord, run: RunRef): boolean =>
  Date.parse(record.launchTime) === Date.parse(run.launchTime);
