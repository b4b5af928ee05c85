/**
 * Stopping one run of one instance: the one operation every Stop goes
 * through (Slack, Teams, the CLI). `stop(run, by)` claims the stop with a
 * conditional write on the record, calls StopInstances once, records who
 * stopped it and the runtime at that moment, and audits. Two people pressing
 * Stop at once both reach the claim; one wins, the other is told who is
 * already stopping it, and EC2 sees one StopInstances.
 *
 * When StopInstances fails ambiguously (a timeout, a 5xx, a reset
 * connection) the call may have been applied even though its answer was
 * lost, so EC2 is read again and the result says what is true.
 */
import { ConflictError, LightsOutError, TransientError } from '../../core/errors.js';
import {
  type InstanceRecord,
  instanceKeyString,
  type RunActor,
  runtimeSeconds,
} from '../../core/instance.js';
import { isUp } from '../../core/runLifecycle.js';
import { type Log, silentLog } from '../../log.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet, FleetInstance } from '../../ports/fleet.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { MonitorApi, RunRef } from './api.js';
import { CONFLICT_RETRIES } from './context.js';
import { STOP_CONFIRM_MS } from './recordWrites.js';

export type StopResult =
  /** StopInstances was accepted (or EC2, read again after a lost answer, says the run is stopping). */
  | { status: 'stopping'; record: InstanceRecord; runtimeSeconds: number; confirmedByReread: boolean }
  /** Someone else claimed this stop first; `by` is who (absent when unknown). */
  | { status: 'already'; record: InstanceRecord; by?: RunActor }
  /** The run is over or was replaced: nothing done. `live` is what EC2 says, when read. */
  | { status: 'stale'; record?: InstanceRecord; live?: FleetInstance; reason: string }
  /** EC2 refused, or it still reports the run running: nothing changed. */
  | { status: 'failed'; record: InstanceRecord; error: unknown }
  /** The call's answer was lost and EC2 could not be read again: the outcome is unknown. */
  | { status: 'unknown'; record: InstanceRecord; error: unknown };

export interface RunStopperDeps {
  monitor: Pick<MonitorApi, 'stopRequested'>;
  store: InstanceStore;
  fleet: Fleet;
  audit: AuditLog;
  clock: Clock;
  log?: Log;
}

/** `slack:U123`, `cli:alice`: the actor as the audit log spells it. */
export const auditActor = (by: RunActor): string => `${by.platform}:${by.id}`;

export class RunStopper {
  constructor(private readonly deps: RunStopperDeps) {}

  async stop(run: RunRef, by: RunActor): Promise<StopResult> {
    const now = this.deps.clock();
    const result = await this.attempt(run, by, now);
    await this.audit(run, by, now, result);
    return result;
  }

  private async attempt(run: RunRef, by: RunActor, now: Date): Promise<StopResult> {
    const claimed = await this.claim(run, by, now);
    if (claimed.status !== 'claimed') return claimed;
    const { record } = claimed;

    let error: unknown;
    try {
      await this.deps.fleet.stop(run.region, [run.instanceId]);
    } catch (err) {
      error = err;
    }
    if (error === undefined) return this.stopped(run, by, now, record, false);
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
      return this.stopped(run, by, now, record, true);
    }
    await this.release(run, now);
    return { status: 'failed', record, error };
  }

  /**
   * Marks the run as being stopped by `by`, with a write conditional on the
   * version just read: of several concurrent stops exactly one succeeds. A
   * claim older than STOP_CONFIRM_MS is one whose stop evidently did not
   * happen, and may be taken over.
   */
  private async claim(
    run: RunRef,
    by: RunActor,
    now: Date,
  ): Promise<StopResult | { status: 'claimed'; record: InstanceRecord }> {
    let checkedLive = false;
    for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
      const record = await this.deps.store.get(run);
      if (!record || !sameRun(record.launchTime, run.launchTime)) {
        return { status: 'stale', record, reason: record ? 'restarted' : 'unknown' };
      }
      if (record.stopRequestedAt && now.getTime() - Date.parse(record.stopRequestedAt) < STOP_CONFIRM_MS) {
        return { status: 'already', record, by: record.stopRequestedBy };
      }
      if (!isUp(record.state)) return { status: 'stale', record, reason: record.state };
      if (!checkedLive) {
        // An instance relaunched before the engine saw it: the record still names the old run.
        const [live] = await this.deps.fleet.find(run.region, { instanceIds: [run.instanceId] });
        if (!live || !isUp(live.state) || !sameRun(live.launchTime, run.launchTime)) {
          return { status: 'stale', record, live, reason: live ? live.state : 'gone' };
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
  ): Promise<StopResult> {
    const ran = runtimeSeconds(run, now);
    const record = await this.deps.monitor.stopRequested(run, by).catch((err: unknown) => {
      // The instance is stopping either way; EC2's own stop event will settle the record.
      (this.deps.log ?? silentLog).warn('stopRequested failed after StopInstances', {
        instance: instanceKeyString(run),
        error: String(err),
      });
      return claimed;
    });
    return { status: 'stopping', record, runtimeSeconds: ran, confirmedByReread };
  }

  /** Gives the claim back after a stop that did not happen, so the next click can try again. */
  private async release(run: RunRef, now: Date): Promise<void> {
    for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
      const record = await this.deps.store.get(run);
      if (!record?.stopRequestedAt || record.lastStop || !sameRun(record.launchTime, run.launchTime)) return;
      const { stopRequestedAt: _at, stopRequestedBy: _by, ...rest } = record;
      try {
        await this.deps.store.put(rest, { expectedVersion: record.version });
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

  private async audit(run: RunRef, by: RunActor, now: Date, result: StopResult): Promise<void> {
    const detail =
      result.status === 'stopping'
        ? `StopInstances accepted after ${result.runtimeSeconds}s${result.confirmedByReread ? ' (confirmed by reading EC2 again)' : ''}`
        : result.status === 'already'
          ? `already being stopped by ${result.by ? auditActor(result.by) : 'someone else'}`
          : result.status === 'stale'
            ? `run is over (${result.reason})`
            : String(result.error instanceof Error ? result.error.message : result.error);
    try {
      await this.deps.audit.record({
        at: now.toISOString(),
        actor: auditActor(by),
        action: 'stop',
        target: `${instanceKeyString(run)}@${run.launchTime}`,
        result: AUDIT_RESULT[result.status],
        detail,
      });
    } catch (err) {
      (this.deps.log ?? silentLog).error('audit write failed', {
        action: 'stop',
        actor: auditActor(by),
        error: String(err),
      });
    }
  }
}

const AUDIT_RESULT: Record<StopResult['status'], string> = {
  stopping: 'ok',
  already: 'duplicate',
  stale: 'stale',
  failed: 'error',
  unknown: 'unknown',
};

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
