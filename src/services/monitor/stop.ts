/**
 * Stopping runs of instances: the one operation every Stop goes through
 * (Slack, Teams, the CLI, workload tiers). `stop(run, by)` claims the stop
 * with a conditional write on the record, calls StopInstances once, records
 * who stopped it and the runtime at that moment, and audits. Two people
 * pressing Stop at once both reach the claim; one wins, the other is told who
 * is already stopping it, and EC2 sees one StopInstances.
 *
 * When StopInstances fails ambiguously (a timeout, a 5xx, a reset
 * connection) the call may have been applied even though its answer was
 * lost, so EC2 is read again and the result says what is true.
 *
 * `stopMany(runs, by)` is the same for a batch (a workload tier): each run is
 * claimed, then one StopInstances per region per 1,000 ids (see stopBatch.ts),
 * then each is recorded and audited.
 */
import { ConflictError, LightsOutError, StopProtectedError, TransientError } from '../../core/errors.js';
import {
  type InstanceKey,
  type InstanceRecord,
  instanceKeyString,
  type RunActor,
  runtimeSeconds,
} from '../../core/instance.js';
import { isUp } from '../../core/runLifecycle.js';
import { consentGiverAudit, type StopConsentRecord } from '../../core/stopConsent.js';
import { hibernationNotConfiguredReason, stopProtectedReason } from '../../core/stopRefusal.js';
import { type Log, silentLog } from '../../log.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet, FleetInstance } from '../../ports/fleet.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { MonitorApi, RunRef } from './api.js';
import { CONFLICT_RETRIES } from './context.js';
import { STOP_CONFIRM_MS } from './recordWrites.js';
import { auditStop, stopDetail } from './stopAudit.js';
import { stopInBatches } from './stopBatch.js';

export { auditActor } from './stopAudit.js';

export interface RunStopOptions {
  /** StopInstances with `Hibernate`: refused unless the instance has hibernation configured. */
  hibernate?: boolean;
  /** The consent this stop carries out (a scheduled stop): kept on the record's `lastStop` and audited. */
  consent?: StopConsentRecord;
}

export type StopResult =
  /** StopInstances was accepted (or EC2, read again after a lost answer, says the run is stopping). */
  | {
      status: 'stopping';
      record: InstanceRecord;
      runtimeSeconds: number;
      confirmedByReread: boolean;
      hibernated?: boolean;
    }
  /** Someone else claimed this stop first; `by` is who (absent when unknown). */
  | { status: 'already'; record: InstanceRecord; by?: RunActor }
  /** The run is over or was replaced: nothing done. `live` is what EC2 says, when read. */
  | { status: 'stale'; record?: InstanceRecord; live?: FleetInstance; reason: string }
  /** EC2 refused because the instance is stop-protected (DisableApiStop); `reason` says how to lift it. */
  | { status: 'protected'; record: InstanceRecord; reason: string }
  /** Not attempted: the request cannot work for this instance (hibernate without hibernation configured). */
  | { status: 'refused'; record: InstanceRecord; reason: string }
  /** EC2 refused, or it still reports the run running: nothing changed. */
  | { status: 'failed'; record: InstanceRecord; error: unknown }
  /** The call's answer was lost and EC2 could not be read again: the outcome is unknown. */
  | { status: 'unknown'; record: InstanceRecord; error: unknown };

/** One instance of a batch stop; `launchTime` is the run the caller just read from EC2. */
export interface BatchStopTarget extends InstanceKey {
  launchTime?: string;
}

export interface BatchStopResult {
  run: BatchStopTarget;
  /** `stopping` includes instances Lights Out keeps no record of (`record` absent). */
  status: 'stopping' | 'already' | 'protected' | 'failed' | 'unknown';
  reason: string;
  record?: InstanceRecord;
  error?: unknown;
}

export interface RunStopperDeps {
  monitor: Pick<MonitorApi, 'stopRequested'>;
  store: InstanceStore;
  fleet: Fleet;
  audit: AuditLog;
  clock: Clock;
  log?: Log;
}

type Claim =
  | StopResult
  | { status: 'claimed'; record: InstanceRecord }
  /** Batch only: no current record for this run, so nothing to claim; the caller's EC2 read stands. */
  | { status: 'untracked' };

export class RunStopper {
  constructor(private readonly deps: RunStopperDeps) {}

  async stop(run: RunRef, by: RunActor, opts: RunStopOptions = {}): Promise<StopResult> {
    const now = this.deps.clock();
    const result = await this.attempt(run, by, now, opts);
    const hibernate = opts.hibernate === true;
    await auditStop(
      this.deps.audit,
      this.deps.log,
      { run, by, now },
      { status: result.status, detail: withConsent(stopDetail(result, hibernate), opts.consent) },
    );
    return result;
  }

  /**
   * Stops a batch. Unlike `stop`, EC2 is not read again per instance: the
   * caller has just read these runs (their `launchTime`). A run with no
   * current record is stopped all the same (a workload owns it) and only
   * audited. Results come back in the order of `runs`. With `hibernate`,
   * the caller has checked each has hibernation configured.
   */
  async stopMany(
    runs: BatchStopTarget[],
    by: RunActor,
    opts: RunStopOptions = {},
  ): Promise<BatchStopResult[]> {
    const hibernate = opts.hibernate === true;
    const now = this.deps.clock();
    const results = new Map<string, BatchStopResult>();
    const claimed = new Map<string, InstanceRecord>();
    const toStop = new Map<string, BatchStopTarget[]>();
    const seen = new Set<string>();
    for (const run of runs) {
      const key = instanceKeyString(run);
      if (seen.has(key)) continue;
      seen.add(key);
      const claim = run.launchTime
        ? await this.claim({ ...run, launchTime: run.launchTime }, by, now, { trustCaller: true })
        : ({ status: 'untracked' } as const);
      if (claim.status === 'already') {
        const who = claim.by ? `${claim.by.platform}:${claim.by.id}` : 'someone else';
        results.set(key, {
          run,
          status: 'already',
          record: claim.record,
          reason: `already being stopped by ${who}`,
        });
        continue;
      }
      if (claim.status === 'claimed') claimed.set(key, claim.record);
      toStop.set(run.region, [...(toStop.get(run.region) ?? []), run]);
    }
    for (const [region, batch] of toStop) {
      const outcome = await stopInBatches(
        this.deps.fleet,
        region,
        batch.map((r) => r.instanceId),
        hibernate ? { hibernate } : {},
      );
      const protectedIds = new Set(outcome.protected);
      for (const run of batch) {
        const key = instanceKeyString(run);
        const record = claimed.get(key);
        const ref = record ? { ...run, launchTime: record.launchTime } : undefined;
        if (outcome.stopped.includes(run.instanceId)) {
          const saved = ref && record ? await this.recordStop(ref, by, record, hibernate) : undefined;
          const ran = runtimeSeconds({ launchTime: run.launchTime ?? now.toISOString() }, now);
          results.set(key, {
            run,
            status: 'stopping',
            record: saved,
            reason: `${hibernate ? 'StopInstances (Hibernate)' : 'StopInstances'} accepted after ${ran}s${record ? '' : ' (no record of this run)'}`,
          });
          continue;
        }
        if (ref)
          await this.release(ref, now, protectedIds.has(run.instanceId) ? { stopProtected: true } : {});
        if (protectedIds.has(run.instanceId)) {
          results.set(key, {
            run,
            status: 'protected',
            record,
            reason: stopProtectedReason(run, label(record, run)),
          });
        } else {
          const error = outcome.failed.get(run.instanceId) ?? outcome.unknown.get(run.instanceId);
          results.set(key, {
            run,
            status: outcome.failed.has(run.instanceId) ? 'failed' : 'unknown',
            record,
            error,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    const ordered = runs.flatMap((r) => results.get(instanceKeyString(r)) ?? []);
    for (const r of new Set(ordered)) {
      await auditStop(
        this.deps.audit,
        this.deps.log,
        { run: r.run, by, now },
        { status: r.status, detail: r.reason },
      );
    }
    return ordered;
  }

  private async attempt(run: RunRef, by: RunActor, now: Date, opts: RunStopOptions): Promise<StopResult> {
    const claimed = await this.claim(run, by, now, { hibernate: opts.hibernate });
    if (claimed.status === 'untracked') throw new Error('unreachable: single stops read EC2');
    if (claimed.status !== 'claimed') return claimed;
    const { record } = claimed;
    const hibernate = opts.hibernate === true;

    let error: unknown;
    try {
      await this.deps.fleet.stop(run.region, [run.instanceId], hibernate ? { hibernate } : undefined);
    } catch (err) {
      error = err;
    }
    if (error === undefined) return this.stopped(run, by, now, record, false, hibernate, opts.consent);
    if (error instanceof StopProtectedError) {
      await this.release(run, now, { stopProtected: true });
      return { status: 'protected', record, reason: stopProtectedReason(run, label(record, run)) };
    }
    if (!ambiguous(error)) {
      await this.release(run, now);
      return { status: 'failed', record, error };
    }
    // The answer was lost, not necessarily the call: ask EC2 what is true now.
    let live: FleetInstance | undefined;
    try {
      [live] = await this.deps.fleet.find(run.region, { instanceIds: [run.instanceId] });
    } catch (rereadError) {
      (this.deps.log ?? silentLog).warn('could not read EC2 again after a failed StopInstances', {
        instance: instanceKeyString(run),
        error: String(rereadError),
      });
      await this.release(run, now);
      return { status: 'unknown', record, error };
    }
    if (live && sameRun(live.launchTime, run.launchTime) && !isUp(live.state)) {
      return this.stopped(run, by, now, record, true, hibernate, opts.consent);
    }
    await this.release(run, now);
    return { status: 'failed', record, error };
  }

  /**
   * Marks the run as being stopped by `by`, with a write conditional on the
   * version just read: of several concurrent stops exactly one succeeds. A
   * claim older than STOP_CONFIRM_MS is one whose stop evidently did not
   * happen, and may be taken over. A single stop reads EC2 once to be sure
   * the record's run is the live one; a batch trusts the caller's read.
   */
  private async claim(
    run: RunRef,
    by: RunActor,
    now: Date,
    opts: { trustCaller?: boolean; hibernate?: boolean },
  ): Promise<Claim> {
    let checkedLive = opts.trustCaller === true;
    for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
      const record = await this.deps.store.get(run);
      if (!record || !sameRun(record.launchTime, run.launchTime)) {
        if (opts.trustCaller) return { status: 'untracked' };
        return { status: 'stale', record, reason: record ? 'restarted' : 'unknown' };
      }
      if (record.stopRequestedAt && now.getTime() - Date.parse(record.stopRequestedAt) < STOP_CONFIRM_MS) {
        return { status: 'already', record, by: record.stopRequestedBy };
      }
      if (!isUp(record.state)) {
        return opts.trustCaller ? { status: 'untracked' } : { status: 'stale', record, reason: record.state };
      }
      if (!checkedLive) {
        // An instance relaunched before the engine saw it: the record still names the old run.
        const [live] = await this.deps.fleet.find(run.region, { instanceIds: [run.instanceId] });
        if (!live || !isUp(live.state) || !sameRun(live.launchTime, run.launchTime)) {
          return { status: 'stale', record, live, reason: live ? live.state : 'gone' };
        }
        if (opts.hibernate && !live.hibernationConfigured) {
          return { status: 'refused', record, reason: hibernationNotConfiguredReason(label(record, run)) };
        }
        checkedLive = true;
      }
      try {
        const claimed = await this.deps.store.put(
          { ...record, stopRequestedAt: now.toISOString(), stopRequestedBy: by },
          { expectedVersion: record.version },
        );
        return { status: 'claimed', record: claimed };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(
      `Could not claim the stop of ${instanceKeyString(run)}: the record kept changing`,
    );
  }

  private async stopped(
    run: RunRef,
    by: RunActor,
    now: Date,
    claimed: InstanceRecord,
    confirmedByReread: boolean,
    hibernated: boolean,
    consent?: StopConsentRecord,
  ): Promise<StopResult> {
    const record = await this.recordStop(run, by, claimed, hibernated, consent);
    return {
      status: 'stopping',
      record,
      runtimeSeconds: runtimeSeconds(run, now),
      confirmedByReread,
      ...(hibernated ? { hibernated } : {}),
    };
  }

  private async recordStop(
    run: RunRef,
    by: RunActor,
    claimed: InstanceRecord,
    hibernated: boolean,
    consent?: StopConsentRecord,
  ): Promise<InstanceRecord> {
    const opts = { ...(hibernated ? { hibernated } : {}), ...(consent ? { consent } : {}) };
    return this.deps.monitor
      .stopRequested(run, by, Object.keys(opts).length ? opts : undefined)
      .catch((err: unknown) => {
        // The instance is stopping either way; EC2's own stop event will settle the record.
        (this.deps.log ?? silentLog).warn('stopRequested failed after StopInstances', {
          instance: instanceKeyString(run),
          error: String(err),
        });
        return claimed;
      });
  }

  /**
   * Gives the claim back after a stop that did not happen, so the next click
   * can try again; `patch` records what the refusal taught (stop protection).
   */
  private async release(run: RunRef, now: Date, patch: Partial<InstanceRecord> = {}): Promise<void> {
    for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
      const record = await this.deps.store.get(run);
      if (!record?.stopRequestedAt || record.lastStop || !sameRun(record.launchTime, run.launchTime)) return;
      const { stopRequestedAt: _at, stopRequestedBy: _by, ...rest } = record;
      try {
        await this.deps.store.put({ ...rest, ...patch }, { expectedVersion: record.version });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    (this.deps.log ?? silentLog).warn('could not release a stop claim', {
      instance: instanceKeyString(run),
      at: now.toISOString(),
    });
  }
}

/** The instance as people know it: its Name tag with the id, or the id. */
const label = (record: InstanceRecord | undefined, k: InstanceKey): string =>
  record?.name ? `${record.name} (${k.instanceId})` : k.instanceId;

/**
 * Whether a failed call may still have been applied: timeouts, 5xx and
 * dropped connections (TransientError, or an error we could not classify).
 * A clear refusal (access denied, wrong state, bad id) changed nothing.
 */
function ambiguous(err: unknown): boolean {
  return err instanceof TransientError || !(err instanceof LightsOutError);
}

/** Launch times from EC2, the store and tokens may differ in millisecond formatting. */
const sameRun = (a: string, b: string): boolean =>
  Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);

/** A consented stop's audit says who consented and when, so it answers "who asked for this?". */
function withConsent(detail: string, consent: StopConsentRecord | undefined): string {
  return consent
    ? `${detail}; consented (${consent.kind}) by ${consentGiverAudit(consent.by)} at ${consent.givenAt}`
    : detail;
}
