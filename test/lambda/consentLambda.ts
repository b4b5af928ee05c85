/**
 * The consent function (consentStop) beside a chat Lambda world, for the
 * Slack and Teams "stop later" suites: its handler built as at cold start over
 * moto, fired the way EventBridge Scheduler would (each due schedule's own
 * input, on a virtual clock set to its time, since moto never fires), the
 * group's schedules listed, and the outbox's events handed to chatNotify as
 * the table's stream and the events topic would deliver them.
 */
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SNSEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../../src/aws/clients.js';
import { DynamoAuditLog } from '../../src/aws/dynamodb/auditLog.js';
import { DynamoOutbox } from '../../src/aws/dynamodb/outbox.js';
import { DynamoSubscriptionStore } from '../../src/aws/dynamodb/subscriptionStore.js';
import { loadConfig } from '../../src/config/index.js';
import type { RunRef } from '../../src/core/instance.js';
import { consentStopHandler } from '../../src/lambda/consentStop.js';
import { idleCheckHandler } from '../../src/lambda/idleCheck.js';
import { createLogger } from '../../src/log.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { awsMonitorDeps } from '../../src/wiring/awsMonitor.js';
import { consentService } from '../../src/wiring/consentWiring.js';
import { idleCheckWiring } from '../../src/wiring/idleCheckWiring.js';
import { VirtualClock } from '../support/fakes.js';
import { LAMBDA_REGION } from '../support/lambdaEngine.js';
import type { MotoServer } from '../support/moto.js';
import { type FiredSchedule, fireDueSchedules } from '../support/schedulerFiring.js';

/** What the stack gives the chat functions and consentStop for consented stops. */
export const CONSENT_ENV = {
  CONSENT_FUNCTION_ARN: `arn:aws:lambda:${LAMBDA_REGION}:123456789012:function:lightsout-consentStop`,
  SNS_TOPIC_ARN: `arn:aws:sns:${LAMBDA_REGION}:123456789012:lightsout-nags`,
};

const snsEventOf = (messageId: string, message: unknown): SNSEvent =>
  ({
    Records: [{ EventSource: 'aws:sns', Sns: { MessageId: messageId, Message: JSON.stringify(message) } }],
  }) as SNSEvent;

export function consentLambda(moto: MotoServer, env: Record<string, string>) {
  const config = loadConfig({ ...env, ...CONSENT_ENV });
  const log = createLogger('test', 'ERROR');
  const clock = new VirtualClock(new Date());
  const deps = awsMonitorDeps(config, log, clock.now);
  const doc = dynamoDocumentClient(LAMBDA_REGION);
  const table = config.store.tableName!;
  const service = consentService(
    new MonitorService(deps),
    { ...deps, stopScheduler: deps.stopScheduler! },
    new DynamoAuditLog(doc, table),
    log,
  );
  const handler = consentStopHandler(() => ({ service, log }));
  // The idle function's check over the same clock and consent service.
  const { check } = idleCheckWiring(config, {
    store: deps.store,
    fleet: deps.fleet,
    consents: service,
    subscriptions: new DynamoSubscriptionStore(doc, table),
    clock: clock.now,
    log,
  });
  const idleCheck = idleCheckHandler(() => ({ check, log }));
  const scheduler = new SchedulerClient(moto.clientConfig);
  const outbox = new DynamoOutbox(doc, table);

  return {
    clock,
    /** Names of the instance's stop and warning schedules in the Lights Out group, as ListSchedules gives them. */
    async schedulesOf(instanceId: string): Promise<string[]> {
      const listed = await scheduler.send(
        new ListSchedulesCommand({ GroupName: 'lightsout', MaxResults: 100 }),
      );
      return (listed.Schedules ?? [])
        .map((s) => s.Name!)
        .filter((n) => /^(stop|warn)-/.test(n) && n.includes(instanceId));
    },
    /** Fires every stop and warning schedule due by `until`, oldest first, through the consent function. */
    async fireUntil(until: Date): Promise<FiredSchedule[]> {
      return fireDueSchedules(scheduler, { now: until, prefixes: ['stop-', 'warn-'] }, async (input, s) => {
        if (s.targetArn !== CONSENT_ENV.CONSENT_FUNCTION_ARN)
          throw new Error(`${s.name} targets ${s.targetArn}, not the consent function`);
        clock.advanceTo(s.at);
        const result = await handler(JSON.parse(input));
        if (result.status !== 'handled') throw new Error(`${s.name}: ${JSON.stringify(result)}`);
      });
    },
    /** One run of the idleCheck function with the clock at `at`. */
    async idleCheckAt(at: Date) {
      clock.advanceTo(at);
      return idleCheck({});
    },
    /** EC2's stopped event for the run, as the stateChange function applies it. */
    async observeStopped(engine: MonitorService, run: RunRef): Promise<void> {
      await engine.handleStateChange({
        region: run.region,
        instanceId: run.instanceId,
        state: 'stopped',
        time: new Date().toISOString(),
      });
    },
    /** Every pending outbox event to chatNotify (stream → events topic → SNS), then acknowledged. */
    async deliverEvents(notify: (e: SNSEvent) => Promise<void>): Promise<void> {
      for (const entry of await outbox.pending()) {
        await notify(snsEventOf(`outbox-${entry.id}`, entry.event));
        await outbox.delivered(entry.id);
      }
    },
  };
}
