/**
 * Target of the reconcile rate rule: one sweep over REGIONS that repairs
 * missing records and schedules and removes ones whose instance is gone; then
 * it redelivers outbox entries whose first delivery (from the table's stream)
 * failed and whose backoff has passed.
 */
import type { Context } from 'aws-lambda';
import type { ReconcileReport } from '../services/monitor/api.js';
import type { OutboxDeliverer } from '../services/outbox/outboxDeliverer.js';
import { type LambdaMonitor, monitorAtColdStart } from './monitorColdStart.js';
import { awsOutboxDeliverer, STREAM_GRACE_SECONDS } from './outboxDeps.js';

/**
 * Builds the handler over a monitor; tests pass one with a virtual clock, since
 * moto cannot move time.
 */
export function reconcileHandler(
  monitor: () => Pick<LambdaMonitor, 'service' | 'log'>,
  outbox?: () => OutboxDeliverer,
) {
  return async (_event: unknown, context?: Context): Promise<ReconcileReport> => {
    const { service, log } = monitor();
    if (context) log.addContext(context);
    const report = await service.reconcile();
    for (const action of report.actions) log.info('reconcile repair', { action });
    if (outbox) {
      const redrive = await outbox().drain({ minAgeSeconds: STREAM_GRACE_SECONDS });
      if (redrive.delivered || redrive.retried || redrive.failed) log.info('outbox redrive', { ...redrive });
    }
    return report;
  };
}

let outbox: { config: object; deliverer: OutboxDeliverer } | undefined;

export const handler = reconcileHandler(monitorAtColdStart, () => {
  const { config, log } = monitorAtColdStart();
  // Built with the cold-start config, and again if that is rebuilt.
  if (outbox?.config !== config) outbox = { config, deliverer: awsOutboxDeliverer(config, log) };
  return outbox.deliverer;
});
