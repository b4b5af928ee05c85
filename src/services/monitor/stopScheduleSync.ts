/**
 * Keeps a run's stop schedules what its record says, also when two changes
 * land at once (two clicks, or the AutoStop tag upkeep during a click). Each
 * change writes the record first and arranges the schedules second, so two
 * arrangers can interleave: on EventBridge each deletes "the others" and may
 * take the schedule the other just made; in SQLite the slower one may
 * overwrite the row with a time the record no longer names. Either way the
 * record would promise a stop nothing carries out. So whoever arranges:
 * - keeps what the record wants when deleting superseded schedules (the
 *   scheduler re-reads it after listing, see `WantedStop`), and
 * - re-reads the record once done and arranges again while it moved.
 * The last arranger to touch the schedules then reads the final record after
 * its last write and leaves exactly its schedule.
 */
import type { InstanceKey, InstanceRecord } from '../../core/instance.js';
import { instanceKeyString } from '../../core/instance.js';
import { isUp } from '../../core/runLifecycle.js';
import { STOP_WARNING_SECONDS, warningTime } from '../../core/stopConsent.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { StopSchedule, StopScheduler } from '../../ports/stopScheduler.js';

export interface StopScheduleSyncDeps {
  store: Pick<InstanceStore, 'get'>;
  scheduler: StopScheduler;
  clock: Clock;
  /** How long before the stop the warning goes out; default ten minutes. */
  warningSeconds?: number;
  log?: Log;
}

/** Rounds of "arrange, re-read, arrange again": each is another change that landed meanwhile. */
const ROUNDS = 4;

/** The stop schedule `record` calls for: its run's stop at a time, warned unless already; else none. */
export function scheduleFor(
  record: InstanceRecord | undefined,
  now: Date,
  warningSeconds = STOP_WARNING_SECONDS,
): StopSchedule | undefined {
  const consent = record?.stopConsent;
  if (!record || !isUp(record.state) || consent?.kind !== 'at') return undefined;
  const warnAt = consent.warnedAt ? undefined : warningTime(new Date(consent.at), now, warningSeconds);
  return {
    region: record.region,
    instanceId: record.instanceId,
    launchTime: record.launchTime,
    stopAt: consent.at,
    ...(warnAt ? { warnAt: warnAt.toISOString() } : {}),
  };
}

/**
 * Arranges the schedules for `record` (written by the caller just before),
 * then for whatever the record says after, until a re-read finds it unchanged.
 * Throws when the first arrangement fails (the caller's own change: it decides
 * what the person is told); later rounds arrange someone else's change, whose
 * own arranger answers for it, so their failures are logged.
 */
export async function syncStopSchedule(
  deps: StopScheduleSyncDeps,
  key: InstanceKey,
  record: InstanceRecord | undefined,
): Promise<void> {
  const log = deps.log ?? silentLog;
  const wantedNow = async () => scheduleFor(await deps.store.get(key), deps.clock(), deps.warningSeconds);
  let want = scheduleFor(record, deps.clock(), deps.warningSeconds);
  for (let round = 0; round < ROUNDS; round++) {
    try {
      await arrange(deps, key, want, wantedNow, log);
    } catch (err) {
      if (round === 0) throw err;
      log.error('stop schedule not arranged for a change made meanwhile', {
        instance: instanceKeyString(key),
        stopAt: want?.stopAt,
        error: String(err),
      });
      return;
    }
    const after = await wantedNow();
    if (sameStop(after, want)) return;
    want = after;
  }
  log.warn('stop schedule arranged while the record kept changing; its last arranger settles it', {
    instance: instanceKeyString(key),
  });
}

async function arrange(
  deps: StopScheduleSyncDeps,
  key: InstanceKey,
  want: StopSchedule | undefined,
  wantedNow: () => Promise<StopSchedule | undefined>,
  log: Log,
): Promise<void> {
  if (!want) {
    await deps.scheduler.cancel(key, wantedNow);
    return;
  }
  const left = await deps.scheduler.schedule(want, wantedNow);
  for (const l of left) {
    log.warn('superseded stop schedule not deleted; it will fire into nothing', {
      instance: instanceKeyString(key),
      schedule: l.name,
      error: l.error,
    });
  }
}

/** Same run, same stop time: the same schedules (a warning already sent changes nothing to delete). */
function sameStop(a: StopSchedule | undefined, b: StopSchedule | undefined): boolean {
  if (!a || !b) return a === b;
  return sameSecond(a.launchTime, b.launchTime) && sameSecond(a.stopAt, b.stopAt) && !a.warnAt === !b.warnAt;
}

const sameSecond = (x: string, y: string): boolean =>
  Math.floor(Date.parse(x) / 1000) === Math.floor(Date.parse(y) / 1000);
