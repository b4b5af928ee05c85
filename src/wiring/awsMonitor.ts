/**
 * Wiring of the monitoring engine on AWS (Lambda mode, and `lightsout check`
 * when TABLE_NAME is set): DynamoDB store (with the outbox of domain events),
 * EventBridge Scheduler, SNS for nags. A missing setting fails with the
 * variable named.
 */
import {
  dynamoDocumentClient,
  loadCloudWatchClient,
  loadEc2Client,
  schedulerClient,
  snsClient,
} from '../aws/clients.js';
import { CloudWatchMetrics } from '../aws/cloudWatchMetrics.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { DynamoPriceCache } from '../aws/dynamodb/priceCache.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { EventBridgeNagScheduler } from '../aws/eventBridgeNagScheduler.js';
import { EventBridgeStopScheduler } from '../aws/eventBridgeStopScheduler.js';
import { SnsNotifier } from '../aws/snsNotifier.js';
import { type Config, ConfigError } from '../config/index.js';
import type { Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { DomainEventPublisher } from '../ports/notifier.js';
import type { MonitorDeps } from '../services/monitor/context.js';
import { IdleEvidenceReader } from '../services/monitor/idleEvidence.js';
import { awsPricer } from './pricing.js';

/**
 * Domain events reach the outbox with the record write (DynamoInstanceStore.put);
 * the table's stream delivers them (src/lambda/outboxStream.ts), so nothing is
 * left to do once the write succeeded.
 */
export const streamDelivers: DomainEventPublisher = { publish: async () => undefined };

/** Settings Lambda mode cannot run without, with what each expects. */
export function requireAwsSettings(config: Config): void {
  const problems: string[] = [];
  if (!config.store.tableName)
    problems.push('TABLE_NAME is required in Lambda mode: the DynamoDB table name');
  if (!config.monitor.snsTopicArn)
    problems.push('SNS_TOPIC_ARN is required in Lambda mode: the nag topic ARN');
  if (!config.scheduler.nagTargetArn) {
    problems.push('NAG_FUNCTION_ARN is required in Lambda mode: the ARN of the nagDue function');
  }
  if (!config.scheduler.roleArn) {
    problems.push('SCHEDULER_ROLE_ARN is required in Lambda mode: the role EventBridge Scheduler assumes');
  }
  if (problems.length) throw new ConfigError(problems);
}

/**
 * Consented stops on EventBridge Scheduler, when the stack deployed the
 * consent function (CONSENT_FUNCTION_ARN); without it nothing is scheduled,
 * so no consent is given that nothing would carry out.
 */
export function awsStopScheduler(
  config: Config,
  clock: Clock = systemClock,
): EventBridgeStopScheduler | undefined {
  if (!config.scheduler.consentTargetArn || !config.scheduler.roleArn) return undefined;
  return new EventBridgeStopScheduler(schedulerClient(homeRegion(config)), {
    groupName: config.scheduler.groupName,
    targetArn: config.scheduler.consentTargetArn,
    roleArn: config.scheduler.roleArn,
    clock,
  });
}

/** The home region: where the table, schedules and topics live (first of REGIONS). */
export const homeRegion = (config: Config): string => config.monitor.regions[0] ?? 'us-east-1';

/**
 * `idleEvidence`: only the nag function reads CloudWatch (its role alone may
 * call GetMetricData); it reads the run it nags about, kept for a few minutes
 * in the container, since on Lambda the sweep runs in another function.
 */
export function awsMonitorDeps(
  config: Config,
  log: Log,
  clock: Clock = systemClock,
  opts: { idleEvidence?: boolean } = {},
): MonitorDeps {
  requireAwsSettings(config);
  const home = homeRegion(config);
  const topicRegion = (arn: string) => arn.split(':')[3] || home;
  const snsTopicArn = config.monitor.snsTopicArn!;
  return {
    fleet: new Ec2Fleet(loadEc2Client),
    store: new DynamoInstanceStore(dynamoDocumentClient(home), config.store.tableName!, { clock }),
    scheduler: new EventBridgeNagScheduler(schedulerClient(home), {
      groupName: config.scheduler.groupName,
      targetArn: config.scheduler.nagTargetArn!,
      roleArn: config.scheduler.roleArn!,
      clock,
    }),
    stopScheduler: awsStopScheduler(config, clock),
    notifier: new SnsNotifier(snsClient(topicRegion(snsTopicArn)), snsTopicArn),
    events: streamDelivers,
    clock,
    settings: config.monitor,
    log,
    ...(opts.idleEvidence
      ? {
          idleEvidence: new IdleEvidenceReader(new CloudWatchMetrics(loadCloudWatchClient), {
            windowSeconds: config.idle.evidenceWindowSeconds,
            clock,
            log,
          }),
        }
      : {}),
    pricer: awsPricer(new DynamoPriceCache(dynamoDocumentClient(home), config.store.tableName!), log, {
      lookups: config.monitor.priceLookups,
      clock,
    }),
  };
}
