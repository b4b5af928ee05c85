/**
 * The reconcile sweep: in every region, list running monitored instances
 * (one DescribeInstances page per 1,000), compare with records and schedules,
 * and repair the drift. In the single process this sweep is also how state
 * changes are observed: they feed the same state-change handling as EC2 events.
 *
 * Regions are swept side by side: a region whose EC2 endpoint hangs holds up
 * only itself (until the client timeouts give up), never the others.
 */
import { settleEach } from '../../core/concurrency.js';
import { evidenceDue } from '../../core/idle.js';
import { type InstanceRecord, instanceKeyString } from '../../core/instance.js';
import {
  diffRegion,
  type ObservedInstance,
  type Repair,
  type ScheduledNag,
} from '../../core/reconcileDiff.js';
import { readTagPolicy } from '../../core/tagPolicy.js';
import { silentLog } from '../../log.js';
import type { Fleet, FleetInstance } from '../../ports/fleet.js';
import type { ReconcileReport } from './api.js';
import { type MonitorDeps, monitoredTagKeys, policyDefaults } from './context.js';
import { applyObservedState, updateRecord } from './recordWrites.js';

export async function reconcile(
  deps: MonitorDeps,
  opts: { dryRun?: boolean } = {},
): Promise<ReconcileReport> {
  const log = deps.log ?? silentLog;
  const report: ReconcileReport = {
    regions: [...deps.settings.regions],
    describeCalls: 0,
    seen: 0,
    created: [],
    rescheduled: [],
    removed: [],
    actions: [],
  };
  let finds = 0;
  const calls = describeCounter(deps.fleet, () => finds);
  const schedules = await scheduledNags(deps);
  const sweepRegion = async (region: string): Promise<RegionSweep> => {
    const out: RegionSweep = { seen: 0, lines: [], created: [], rescheduled: [], removed: [] };
    const now = deps.clock();
    finds += 1;
    const running = await deps.fleet.find(region, {
      states: ['pending', 'running'],
      tagKeys: monitoredTagKeys(deps.settings),
    });
    out.seen = running.length;
    const defaults = policyDefaults(deps.settings);
    const observed: ObservedInstance[] = running.map((i) => ({
      instanceId: i.instanceId,
      facts: i,
      policy: readTagPolicy(i.tags, defaults),
    }));
    const records = await deps.store.list({ region });
    const repairs = diffRegion({
      running: observed,
      records,
      schedules: schedules(region, records),
      now,
      observeStopped: deps.sweepObservesStopped ?? false,
    });
    const byId = new Map<string, FleetInstance>(running.map((i) => [i.instanceId, i]));
    const toObserve = repairs.filter((r) => r.kind === 'observe').map((r) => r.instanceId);
    if (toObserve.length) {
      finds += 1;
      for (const i of await deps.fleet.find(region, { instanceIds: toObserve })) byId.set(i.instanceId, i);
    }
    const recordsById = new Map(records.map((r) => [r.instanceId, r]));
    for (const repair of repairs) {
      if (
        repair.kind === 'observe' &&
        nothingNew(recordsById.get(repair.instanceId), byId.get(repair.instanceId))
      )
        continue;
      const line = `${region}/${repair.instanceId}: ${describe(repair, byId.get(repair.instanceId))}`;
      out.lines.push(opts.dryRun ? `would ${line}` : line);
      bucket(out, repair, byId.get(repair.instanceId))?.push(`${region}/${repair.instanceId}`);
      if (opts.dryRun) continue;
      try {
        await applyRepair(deps, region, repair, byId.get(repair.instanceId), now);
      } catch (err) {
        // One broken instance must not stop the sweep of the others.
        log.error('repair failed', {
          instance: `${region}/${repair.instanceId}`,
          repair: repair.kind,
          error: String(err),
        });
        out.lines.push(`${region}/${repair.instanceId}: repair failed: ${String(err)}`);
      }
    }
    if (!opts.dryRun) await prefetchIdleEvidence(deps, region, records, byId, now);
    return out;
  };
  const regions = deps.settings.regions;
  const swept = await settleEach(regions, regions.length, sweepRegion);
  let failure: { region: string; error: unknown } | undefined;
  swept.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      const r = result.value;
      report.seen += r.seen;
      report.actions.push(...r.lines);
      report.created.push(...r.created);
      report.rescheduled.push(...r.rescheduled);
      report.removed.push(...r.removed);
      return;
    }
    log.error('region sweep failed', { region: regions[i], error: String(result.reason) });
    failure ??= { region: regions[i]!, error: result.reason };
  });
  // The other regions were swept and repaired; the sweep as a whole still failed.
  if (failure) throw failure.error;
  report.describeCalls = calls();
  // A sweep that changed nothing is routine: it stays out of the info log.
  (report.actions.length ? log.info : log.debug).call(log, 'reconcile finished', {
    ...report,
    actions: report.actions.length,
    dryRun: Boolean(opts.dryRun),
  });
  return report;
}

/**
 * Reads the idle evidence of every run about to be nagged in one batched
 * CloudWatch read, so each nag finds it cached. Only those runs: a large
 * fleet's quiet majority costs nothing.
 */
async function prefetchIdleEvidence(
  deps: MonitorDeps,
  region: string,
  records: InstanceRecord[],
  live: Map<string, FleetInstance>,
  now: Date,
): Promise<void> {
  const reader = deps.idleEvidence;
  if (!reader) return;
  const due = records.filter((r) => live.has(r.instanceId) && evidenceDue(r, now, reader.horizonSeconds));
  await reader.prefetch(
    due.map((r) => ({
      region,
      instanceId: r.instanceId,
      launchTime: r.launchTime,
      detailedMonitoring: live.get(r.instanceId)?.detailedMonitoring,
    })),
  );
}

/** What one region's sweep saw and did, merged into the report in region order. */
interface RegionSweep extends Pick<ReconcileReport, 'created' | 'rescheduled' | 'removed'> {
  seen: number;
  lines: string[];
}

/** EC2 reports the same run in the same state the record already holds: nothing to apply. */
function nothingNew(record: InstanceRecord | undefined, live: FleetInstance | undefined): boolean {
  return (
    record !== undefined &&
    live !== undefined &&
    live.state === record.state &&
    Date.parse(live.launchTime) === Date.parse(record.launchTime)
  );
}

async function applyRepair(
  deps: MonitorDeps,
  region: string,
  repair: Repair,
  live: FleetInstance | undefined,
  now: Date,
): Promise<void> {
  const key = { region, instanceId: repair.instanceId };
  const at = now.toISOString();
  switch (repair.kind) {
    case 'track':
    case 'untrack':
    case 'observe':
      // A record EC2 no longer describes at all was terminated while we were not looking.
      await applyObservedState(
        deps,
        key,
        live ? { state: live.state, at, facts: live } : { state: 'terminated', at },
      );
      return;
    case 'schedule': {
      if (repair.record) {
        const refreshed = repair.record;
        await updateRecord(deps, key, (current) =>
          current && current.launchTime === refreshed.launchTime
            ? { ...refreshed, version: current.version }
            : undefined,
        );
      }
      await deps.scheduler.schedule({ ...key, launchTime: repair.launchTime, dueAt: repair.dueAt });
      return;
    }
    case 'cancel':
      await deps.scheduler.cancel(key);
      return;
    case 'purge':
      await deps.store.delete(key);
      await deps.scheduler.cancel(key);
      return;
  }
}

function describe(repair: Repair, live: FleetInstance | undefined): string {
  const verb: Record<Repair['kind'], string> = {
    track: 'track',
    untrack: 'stop tracking',
    observe: live ? `apply observed state ${live.state}` : 'mark terminated (EC2 no longer describes it)',
    schedule: 'schedule nag',
    cancel: 'cancel schedule',
    purge: 'purge tombstone',
  };
  return `${verb[repair.kind]}: ${repair.reason}`;
}

function bucket(
  report: Pick<ReconcileReport, 'created' | 'rescheduled' | 'removed'>,
  repair: Repair,
  live: FleetInstance | undefined,
): string[] | undefined {
  if (repair.kind === 'track') return report.created;
  if (repair.kind === 'schedule') return report.rescheduled;
  if (repair.kind === 'observe' && live && ['pending', 'running'].includes(live.state)) return undefined;
  return report.removed;
}

type ScheduleLookup = (region: string, records: InstanceRecord[]) => ScheduledNag[];

/**
 * The schedules to compare against. EventBridge Scheduler's list returns no
 * inputs, so reading every schedule costs one GetSchedule each; a scheduler
 * offering `listKeys` (names only, 100 per call) is asked just which instances
 * have one, and a present schedule is taken to match its record. A schedule of
 * an older run is still caught when it fires (the nag is dropped as stale).
 */
async function scheduledNags(deps: MonitorDeps): Promise<ScheduleLookup> {
  if (deps.scheduler.listKeys) {
    const keys = new Set((await deps.scheduler.listKeys()).map(instanceKeyString));
    return (region, records) => {
      const byId = new Map(records.map((r) => [r.instanceId, r]));
      return [...keys]
        .filter((k) => k.startsWith(`${region}/`))
        .map((k) => k.slice(region.length + 1))
        .map((instanceId) => {
          const r = byId.get(instanceId);
          return { instanceId, launchTime: r?.launchTime ?? '', dueAt: r?.nextNagAt ?? '' };
        });
    };
  }
  const all = await deps.scheduler.list();
  return (region) => all.filter((s) => s.region === region);
}

/**
 * DescribeInstances calls made during the sweep. The EC2 adapter counts pages
 * in `stats.describeCalls`; for a fleet without counters, `find` calls are counted.
 */
function describeCounter(fleet: Fleet, finds: () => number): () => number {
  const stats = (fleet as { stats?: { describeCalls?: unknown } }).stats;
  if (stats && typeof stats.describeCalls === 'number') {
    const start = stats.describeCalls;
    return () => (stats.describeCalls as number) - start;
  }
  return finds;
}
