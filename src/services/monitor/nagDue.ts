/**
 * The nagDue use case: a one-shot schedule fired. Re-read the instance and its
 * tags; drop the schedule of a run that ended or was replaced; reschedule when
 * snoozed, extended or a tag moved the threshold; otherwise notify and plan
 * the next nag at now + renotify interval. A failed notification is not
 * counted: the nag is retried soon instead.
 */
import { type InstanceRecord, instanceKeyString } from '../../core/instance.js';
import { evaluateNag } from '../../core/nagDecision.js';
import { buildNagNotification } from '../../core/notification.js';
import { isUp, withFacts, withPrice } from '../../core/runLifecycle.js';
import { readTagPolicy } from '../../core/tagPolicy.js';
import { silentLog } from '../../log.js';
import type { NagSchedule } from '../../ports/nagScheduler.js';
import { type MonitorDeps, policyDefaults } from './context.js';
import { applyObservedState, cancelScheduleOfRun, scheduleTime, updateRecord } from './recordWrites.js';

/** How soon an undelivered nag is tried again (capped by the renotify interval). */
export const NAG_RETRY_SECONDS = 5 * 60;

export interface NagDueOutcome {
  action: 'nag' | 'reschedule' | 'drop' | 'retry' | 'observed';
  reason: string;
  nextCheckAt?: string;
}

export async function processNagDue(
  deps: MonitorDeps,
  due: NagSchedule,
  opts: { dryRun?: boolean } = {},
): Promise<NagDueOutcome> {
  const log = deps.log ?? silentLog;
  const key = { region: due.region, instanceId: due.instanceId };
  const now = deps.clock();
  const [live] = await deps.fleet.find(due.region, { instanceIds: [due.instanceId] });
  const record = await deps.store.get(key);

  // EC2 says the run this schedule belongs to is over (or replaced): apply what it says.
  const ranOn = live && isUp(live.state) && Date.parse(live.launchTime) === Date.parse(due.launchTime);
  const recordCurrent =
    record && isUp(record.state) && live && Date.parse(record.launchTime) === Date.parse(live.launchTime);
  if (!ranOn || !recordCurrent) {
    const reason = !live
      ? 'instance no longer exists'
      : !ranOn
        ? `instance is ${live.state}${Date.parse(live.launchTime) !== Date.parse(due.launchTime) ? ` on a newer run (launched ${live.launchTime})` : ''}`
        : 'no current record for this run';
    if (opts.dryRun) return { action: ranOn ? 'observed' : 'drop', reason };
    if (live) {
      await applyObservedState(deps, key, { state: live.state, at: now.toISOString(), facts: live });
    } else if (record && !['shutting-down', 'terminated'].includes(record.state)) {
      await applyObservedState(deps, key, { state: 'terminated', at: now.toISOString() });
    }
    await cancelScheduleOfRun(deps, key, due.launchTime);
    log.info('stale nag schedule dropped', { instance: instanceKeyString(key), reason });
    return { action: ranOn ? 'observed' : 'drop', reason };
  }

  const policy = readTagPolicy(live.tags, policyDefaults(deps.settings));
  // Tags are re-read at every evaluation: the record takes the live tags' policy,
  // and a price past its lifetime (or a changed HourlyCost tag) is looked up again.
  const price = deps.pricer
    ? await deps.pricer.priceOf(record.price, live, policy.hourlyCostUsd, now)
    : record.price;
  const refresh = (r: InstanceRecord) => withPrice(withFacts(r, live, policy), price);
  const fresh = refresh(record);
  const decision = evaluateNag(fresh, policy, due, now);
  const nextCheckAt = decision.nextCheckAt?.toISOString();
  if (opts.dryRun) return { action: decision.action, reason: decision.reason, nextCheckAt };

  if (decision.action === 'drop') {
    if (!policy.monitored) {
      await applyObservedState(deps, key, { state: live.state, at: now.toISOString(), facts: live });
    }
    await cancelScheduleOfRun(deps, key, due.launchTime);
    log.info('nag dropped', { instance: instanceKeyString(key), reason: decision.reason });
    return { action: 'drop', reason: decision.reason };
  }

  if (decision.action === 'reschedule' && nextCheckAt) {
    await saveAndSchedule(deps, fresh, (r) => ({ ...refresh(r), nextNagAt: nextCheckAt }), now);
    log.info('nag rescheduled', { instance: instanceKeyString(key), reason: decision.reason, nextCheckAt });
    return { action: 'reschedule', reason: decision.reason, nextCheckAt };
  }

  if (!(await claimNag(deps, fresh, due.dueAt, now))) {
    log.debug('nag already sent or being sent by another firing', {
      instance: instanceKeyString(key),
      dueAt: due.dueAt,
    });
    return { action: 'drop', reason: `the nag due ${due.dueAt} was already sent or is being sent` };
  }
  // Stop protection is not in DescribeInstances: one DescribeInstanceAttribute per nag sent, never per sweep.
  const protection = await stopProtection(deps, key);
  const nagged = { ...fresh, ...protection, nagCount: fresh.nagCount + 1 };
  const idle = await deps.idleEvidence?.evidence({
    ...key,
    launchTime: fresh.launchTime,
    detailedMonitoring: live.detailedMonitoring,
  });
  const notification = buildNagNotification(nagged, now, {
    idle,
    account: deps.settings.accountId,
    dueAt: due.dueAt,
    ownerTag: deps.settings.ownerTag,
  });
  try {
    await deps.notifier.notify(notification);
  } catch (err) {
    const retryAt = new Date(
      now.getTime() + Math.min(NAG_RETRY_SECONDS, fresh.renotifySeconds) * 1000,
    ).toISOString();
    // Give the claim back: the nag was not sent, so a retry of this schedule may send it.
    await saveAndSchedule(
      deps,
      fresh,
      (r) => ({ ...refresh(r), nagClaim: undefined, nextNagAt: retryAt }),
      now,
    );
    log.warn('nag not delivered; will retry', {
      instance: instanceKeyString(key),
      retryAt,
      error: err instanceof Error ? err.message : String(err),
    });
    return { action: 'retry', reason: `notification failed: ${String(err)}`, nextCheckAt: retryAt };
  }
  const nagAt = now.toISOString();
  await saveAndSchedule(
    deps,
    fresh,
    (r) => ({
      ...refresh(r),
      ...protection,
      nagCount: r.nagCount + 1,
      lastNagAt: nagAt,
      nextNagAt: nextCheckAt,
    }),
    now,
  );
  log.info('nag sent', {
    instance: instanceKeyString(key),
    nagCount: nagged.nagCount,
    reason: decision.reason,
  });
  return { action: 'nag', reason: decision.reason, nextCheckAt };
}

/**
 * `{ stopProtected }` as EC2 says now, for the nag and the record written
 * with it; nothing when it cannot be read (e.g. no
 * ec2:DescribeInstanceAttribute permission): the nag goes out as before and a
 * Stop on a protected instance is still explained when EC2 refuses it.
 */
async function stopProtection(
  deps: MonitorDeps,
  key: { region: string; instanceId: string },
): Promise<Partial<Pick<InstanceRecord, 'stopProtected'>>> {
  try {
    return { stopProtected: (await deps.fleet.stopProtected(key.region, key.instanceId)) || undefined };
  } catch (err) {
    (deps.log ?? silentLog).warn('could not read stop protection; nagging without it', {
      instance: instanceKeyString(key),
      error: String(err),
    });
    return {};
  }
}

/** How long a claimed nag stays claimed when its firing crashed before finishing. */
export const NAG_CLAIM_MS = 5 * 60_000;

/**
 * Claims the nag due at `dueAt` for this firing with a conditional write; false
 * when another firing of the same schedule already claimed (or sent) it.
 */
async function claimNag(
  deps: MonitorDeps,
  run: { region: string; instanceId: string; launchTime: string },
  dueAt: string,
  now: Date,
): Promise<boolean> {
  let won = false;
  await updateRecord(deps, run, (current) => {
    won = false;
    if (!current || Date.parse(current.launchTime) !== Date.parse(run.launchTime)) return undefined;
    const claim = current.nagClaim;
    if (claim?.dueAt === dueAt && now.getTime() - Date.parse(claim.at) < NAG_CLAIM_MS) return undefined;
    won = true;
    return { ...current, nagClaim: { dueAt, at: now.toISOString() } };
  });
  return won;
}

/**
 * Re-reads the record, applies the tag refresh and `change`, writes it with a
 * conditional write (retried on conflict), then moves the schedule.
 */
async function saveAndSchedule(
  deps: MonitorDeps,
  run: { region: string; instanceId: string; launchTime: string },
  change: (r: InstanceRecord) => InstanceRecord,
  now: Date,
): Promise<void> {
  const saved = await updateRecord(deps, run, (current) =>
    current && Date.parse(current.launchTime) === Date.parse(run.launchTime) ? change(current) : undefined,
  );
  if (saved?.nextNagAt && Date.parse(saved.launchTime) === Date.parse(run.launchTime) && isUp(saved.state)) {
    await deps.scheduler.schedule({
      region: saved.region,
      instanceId: saved.instanceId,
      launchTime: saved.launchTime,
      dueAt: scheduleTime(saved.nextNagAt, now),
    });
  }
}
