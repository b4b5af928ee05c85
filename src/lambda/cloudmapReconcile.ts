/**
 * Scheduled (EventBridge rate rule) Cloud Map reconcile over the services in
 * CLEANUP_CLOUDMAP_SERVICES, with EC2 instances looked up in REGIONS. One
 * service failing does not stop the others; the invocation fails (so the
 * failure shows in Lambda metrics and alarms) when any service's pass failed.
 */
import type { Context } from 'aws-lambda';
import { LightsOutError } from '../core/errors.js';
import type { CloudMapReconcileReport } from '../services/cleanup/cloudMapReconciler.js';
import { type LambdaReconciler, reconcilerAtColdStart } from './cleanupDeps.js';

export function cloudmapReconcileHandler(deps: () => LambdaReconciler) {
  return async (_event: unknown, context?: Context): Promise<CloudMapReconcileReport[]> => {
    const { config, reconciler, log } = deps();
    if (context) log.addContext(context);
    const services = config.cleanup.cloudMapServices;
    if (services.length === 0) {
      log.warn(
        'no Cloud Map services to reconcile: set CLEANUP_CLOUDMAP_SERVICES (e.g. srv-abc123@eu-west-1)',
      );
      return [];
    }
    const reports: CloudMapReconcileReport[] = [];
    for (const service of services) {
      const report = await reconciler.reconcile(
        {
          serviceId: service.serviceId,
          serviceRegion: service.region,
          instanceRegions: config.monitor.regions,
        },
        // CLEANUP_DRY_RUN covers the sweep too, so a first deployment can watch before it acts.
        { dryRun: config.cleanup.dryRun },
      );
      log.info('cloud map reconcile', {
        serviceId: report.serviceId,
        ok: report.ok,
        dryRun: report.dryRun,
        deregistered: report.deregistered,
        skipped: report.skipped,
        failed: report.failed,
        guardWarning: report.guardWarning,
        error: report.error,
      });
      reports.push(report);
    }
    const failed = reports.filter((r) => !r.ok).map((r) => r.serviceId);
    if (failed.length) {
      throw new LightsOutError('reconcile_failed', `Cloud Map reconcile failed for ${failed.join(', ')}`);
    }
    return reports;
  };
}

export const handler = cloudmapReconcileHandler(() => reconcilerAtColdStart());
