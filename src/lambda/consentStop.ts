/**
 * Target of the consented-stop schedules (EventBridge Scheduler, see
 * src/aws/eventBridgeStopScheduler.ts): input `{kind, instanceId, region,
 * launchTime, stopAt}`. `warn` sends the warning, `stop` stops the run through
 * RunStopper with the consent recorded; a firing for an old run or a
 * cancelled stop does nothing and logs why. Malformed input is logged and
 * dropped; AWS failures are rethrown so the schedule's retry policy applies.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient } from '../aws/clients.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { ConfigError } from '../config/index.js';
import type { StopConsentService } from '../services/consent/stopConsentService.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { awsMonitorDeps, homeRegion } from '../wiring/awsMonitor.js';
import { consentService } from '../wiring/consentWiring.js';
import { monitorAtColdStart } from './monitorColdStart.js';
import type { HandlerResult } from './stateChange.js';

export const StopFiringSchema = z.object({
  kind: z.enum(['warn', 'stop']),
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'an EC2 instance id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region name'),
  launchTime: z.iso.datetime({ offset: true }),
  stopAt: z.iso.datetime({ offset: true }),
});

/** Builds the handler over a consent service; tests pass one with a virtual clock, since moto cannot move time. */
export function consentStopHandler(
  consent: () => { service: Pick<StopConsentService, 'handleFiring'>; log: Logger },
) {
  return async (event: unknown, context?: Context): Promise<HandlerResult> => {
    const { service, log } = consent();
    if (context) log.addContext(context);
    const parsed = StopFiringSchema.safeParse(event);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      log.error('malformed stop schedule input dropped', { reason, event: event as Record<string, unknown> });
      return { status: 'dropped', reason };
    }
    const outcome = await service.handleFiring(parsed.data);
    log.info('stop schedule handled', {
      ...parsed.data,
      act: outcome.act,
      reason: outcome.reason,
      stop: outcome.stop?.status,
    });
    return { status: 'handled' };
  };
}

let coldStart: { service: StopConsentService; log: Logger } | undefined;

/** Built once per container, on the monitor's cold-start wiring. */
export function consentAtColdStart(): { service: StopConsentService; log: Logger } {
  if (!coldStart) {
    const { config, log } = monitorAtColdStart();
    const deps = awsMonitorDeps(config, log);
    if (!deps.stopScheduler) {
      throw new ConfigError([
        'CONSENT_FUNCTION_ARN is required by the consent function: the function stop schedules invoke',
      ]);
    }
    const audit = new DynamoAuditLog(dynamoDocumentClient(homeRegion(config)), config.store.tableName!);
    const service = consentService(
      new MonitorService(deps),
      { ...deps, stopScheduler: deps.stopScheduler },
      audit,
      log,
    );
    coldStart = { service, log };
  }
  return coldStart;
}

export const handler = consentStopHandler(consentAtColdStart);
