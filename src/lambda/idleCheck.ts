/**
 * Target of the idle-check rate rule (every `idleCheckEveryMinutes`): one
 * check of every run with a "stop when idle" consent in REGIONS (see
 * src/services/consent/idleStopCheck.ts). Warnings and stops go through the
 * consent service, as the consent function's do; AWS failures of one region
 * are logged and the next run of the rule tries again.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { dynamoDocumentClient } from '../aws/clients.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { DynamoSubscriptionStore } from '../aws/dynamodb/subscriptionStore.js';
import { ConfigError } from '../config/index.js';
import type { IdleCheckReport, IdleStopCheck } from '../services/consent/idleStopCheck.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { awsMonitorDeps, homeRegion } from '../wiring/awsMonitor.js';
import { consentService } from '../wiring/consentWiring.js';
import { idleCheckWiring } from '../wiring/idleCheckWiring.js';
import { monitorAtColdStart } from './monitorColdStart.js';

/** Builds the handler over an idle check; tests pass one with a virtual clock, since moto cannot move time. */
export function idleCheckHandler(idle: () => { check: Pick<IdleStopCheck, 'check'>; log: Logger }) {
  return async (_event: unknown, context?: Context): Promise<IdleCheckReport> => {
    const { check, log } = idle();
    if (context) log.addContext(context);
    return check.check();
  };
}

let coldStart: { check: IdleStopCheck; log: Logger } | undefined;

/** Built once per container, on the monitor's cold-start wiring. */
export function idleCheckAtColdStart(): { check: IdleStopCheck; log: Logger } {
  if (!coldStart) {
    const { config, log } = monitorAtColdStart();
    const deps = awsMonitorDeps(config, log);
    if (!deps.stopScheduler) {
      throw new ConfigError([
        'CONSENT_FUNCTION_ARN is required by the idle check: a group consent cancels any stop schedule of the run',
      ]);
    }
    const doc = dynamoDocumentClient(homeRegion(config));
    const audit = new DynamoAuditLog(doc, config.store.tableName!);
    const consents = consentService(
      new MonitorService(deps),
      { ...deps, stopScheduler: deps.stopScheduler },
      audit,
      log,
    );
    const { check } = idleCheckWiring(config, {
      store: deps.store,
      fleet: deps.fleet,
      consents,
      subscriptions: new DynamoSubscriptionStore(doc, config.store.tableName!),
      clock: deps.clock,
      log,
    });
    coldStart = { check, log };
  }
  return coldStart;
}

export const handler = idleCheckHandler(idleCheckAtColdStart);
