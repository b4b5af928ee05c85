/**
 * Target of the reconcile rate rule: one sweep over REGIONS that repairs
 * missing records and schedules and removes ones whose instance is gone.
 */
import type { Context } from 'aws-lambda';
import type { ReconcileReport } from '../services/monitor/api.js';
import { type LambdaMonitor, monitorAtColdStart } from './monitorColdStart.js';

/**
 * Builds the handler over a monitor; tests pass one with a virtual clock, since
 * moto cannot move time.
 */
export function reconcileHandler(monitor: () => Pick<LambdaMonitor, 'service' | 'log'>) {
  return async (_event: unknown, context?: Context): Promise<ReconcileReport> => {
    const { service, log } = monitor();
    if (context) log.addContext(context);
    const report = await service.reconcile();
    for (const action of report.actions) log.info('reconcile repair', { action });
    return report;
  };
}

export const handler = reconcileHandler(monitorAtColdStart);
