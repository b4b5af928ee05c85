/**
 * One reconcile pass over one Cloud Map service: list its registrations, look
 * the EC2-looking ids up among running instances in the swept regions (one
 * filtered DescribeInstances per region and 200 ids, never one call per
 * instance), apply the pure diff (`reconcileCloudMap`) and deregister what it
 * says. A pass never throws: its report says what happened, and `ok` is false
 * when listing failed or any deregistration failed.
 */
import {
  type CloudMapDiff,
  isEc2InstanceId,
  type ReconcileDecision,
  type RunningInstance,
  reconcileCloudMap,
} from '../../core/cloudMapReconcile.js';
import type { Log } from '../../log.js';
import type { Fleet } from '../../ports/fleet.js';
import type { ServiceRegistry } from '../../ports/serviceRegistry.js';

export interface ReconcileTarget {
  serviceId: string;
  serviceRegion: string;
  instanceRegions: string[];
}

export interface CloudMapReconcileReport {
  serviceId: string;
  ok: boolean;
  dryRun: boolean;
  registered: number;
  kept: number;
  skipped: string[];
  deregistered: string[];
  failed: { instanceId: string; error: string }[];
  guardWarning?: string;
  decisions: ReconcileDecision[];
  /** Why the pass could not run (listing failed). */
  error?: string;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class CloudMapReconciler {
  constructor(
    private readonly deps: {
      registry: ServiceRegistry;
      fleet: Pick<Fleet, 'find'>;
      log?: Log;
    },
  ) {}

  async reconcile(
    target: ReconcileTarget,
    opts: { dryRun?: boolean } = {},
  ): Promise<CloudMapReconcileReport> {
    const { registry, log } = this.deps;
    const dryRun = opts.dryRun ?? false;
    const report: CloudMapReconcileReport = {
      serviceId: target.serviceId,
      ok: true,
      dryRun,
      registered: 0,
      kept: 0,
      skipped: [],
      deregistered: [],
      failed: [],
      decisions: [],
    };

    let diff: CloudMapDiff;
    try {
      const registered = await registry.listInstances(target.serviceRegion, target.serviceId);
      const ids = registered.map((r) => r.id).filter(isEc2InstanceId);
      const running: RunningInstance[] = [];
      for (const region of target.instanceRegions) {
        const found = await this.deps.fleet.find(region, { states: ['running'], instanceIds: ids });
        running.push(...found.map((i) => ({ ...i, region })));
      }
      diff = reconcileCloudMap({
        serviceId: target.serviceId,
        registered,
        running,
        regions: target.instanceRegions,
      });
      report.registered = registered.length;
    } catch (err) {
      report.ok = false;
      report.error = errorText(err);
      log?.error('cloud map reconcile failed', { serviceId: target.serviceId, error: report.error });
      return report;
    }

    report.decisions = diff.decisions;
    report.guardWarning = diff.guardWarning;
    report.kept = diff.decisions.filter((d) => d.action === 'keep').length;
    report.skipped = diff.decisions.filter((d) => d.action === 'skip').map((d) => d.instanceId);
    if (diff.guardWarning) log?.warn(diff.guardWarning, { serviceId: target.serviceId });
    for (const d of diff.decisions) log?.debug('cloud map decision', { serviceId: target.serviceId, ...d });

    for (const instanceId of diff.toDeregister) {
      const reason = diff.decisions.find((d) => d.instanceId === instanceId)?.reason;
      if (dryRun) {
        report.deregistered.push(instanceId);
        log?.info('would deregister', { serviceId: target.serviceId, instanceId, reason });
        continue;
      }
      try {
        await registry.deregister(target.serviceRegion, target.serviceId, instanceId);
        report.deregistered.push(instanceId);
        log?.info('deregistered', { serviceId: target.serviceId, instanceId, reason });
      } catch (err) {
        report.ok = false;
        report.failed.push({ instanceId, error: errorText(err) });
        log?.error('deregistration failed', {
          serviceId: target.serviceId,
          instanceId,
          error: errorText(err),
        });
      }
    }
    return report;
  }
}
