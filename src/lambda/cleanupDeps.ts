/**
 * Cold-start wiring of the cleanup Lambdas (decommission, cloudmapReconcile):
 * config, the DynamoDB outcome store, the events topic for reports, the
 * webhook secret from Secrets Manager. Built once per container; a missing
 * setting fails the cold start with the variable named.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import {
  configureAwsClients,
  dynamoDocumentClient,
  loadEc2Client,
  loadServiceDiscoveryClient,
  snsClient,
} from '../aws/clients.js';
import { CloudMapRegistry } from '../aws/cloudMapRegistry.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { DynamoCleanupOutcomeStore } from '../aws/dynamodb/dynamoCleanupOutcomeStore.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { SnsDomainEventPublisher } from '../aws/snsDomainEventPublisher.js';
import { type Config, ConfigError, type Env, loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { CloudMapReconciler } from '../services/cleanup/cloudMapReconciler.js';
import type { DecommissionService } from '../services/cleanup/decommission.js';
import { homeRegion } from '../wiring/awsMonitor.js';
import { buildDecommissionService } from '../wiring/cleanupWiring.js';

export interface LambdaCleanup {
  config: Config;
  log: Logger;
  decommission: DecommissionService;
}

/** Settings the decommission Lambda cannot run without. */
export function requireCleanupSettings(config: Config): void {
  const problems: string[] = [];
  if (!config.store.tableName)
    problems.push('TABLE_NAME is required in Lambda mode: the DynamoDB table name');
  if (!config.monitor.eventsTopicArn) {
    problems.push('EVENTS_TOPIC_ARN is required in Lambda mode: the topic cleanup outcomes are reported to');
  }
  if (config.cleanup.webhookSecret) {
    problems.push(
      'WEBHOOK_SECRET must not be set on a Lambda function (environment variables are visible to anyone who can read ' +
        'the function configuration); put it in Secrets Manager and set WEBHOOK_SECRET_ARN',
    );
  }
  if (problems.length) throw new ConfigError(problems);
}

export async function buildLambdaCleanup(env: Env): Promise<LambdaCleanup> {
  const config = loadConfig(env);
  configureAwsClients(config.aws.clients);
  const log = createLogger('lightsout-cleanup', config.logLevel);
  requireCleanupSettings(config);
  const home = homeRegion(config);
  const topicArn = config.monitor.eventsTopicArn!;
  const decommission = await buildDecommissionService({
    config: config.cleanup,
    outcomes: new DynamoCleanupOutcomeStore(dynamoDocumentClient(home), config.store.tableName!),
    audit: new DynamoAuditLog(dynamoDocumentClient(home), config.store.tableName!),
    events: new SnsDomainEventPublisher(snsClient(topicArn.split(':')[3] || home), topicArn),
    log,
    homeRegion: home,
  });
  return { config, log, decommission };
}

let coldStart: Promise<LambdaCleanup> | undefined;

/** Once per container; a failed cold start is retried by the next invocation rather than cached. */
export function cleanupAtColdStart(env: Env = process.env): Promise<LambdaCleanup> {
  coldStart ??= buildLambdaCleanup(env).catch((err: unknown) => {
    coldStart = undefined;
    throw err;
  });
  return coldStart;
}

export interface LambdaReconciler {
  config: Config;
  log: Logger;
  reconciler: CloudMapReconciler;
}

let reconcilerColdStart: LambdaReconciler | undefined;

export function reconcilerAtColdStart(env: Env = process.env): LambdaReconciler {
  if (!reconcilerColdStart) {
    const config = loadConfig(env);
    configureAwsClients(config.aws.clients);
    const log = createLogger('lightsout-cloudmap', config.logLevel);
    const customEndpoint = config.cleanup.cloudMapCustomEndpoint;
    const reconciler = new CloudMapReconciler({
      registry: new CloudMapRegistry((region) => loadServiceDiscoveryClient(region, { customEndpoint })),
      fleet: new Ec2Fleet(loadEc2Client),
      log,
    });
    reconcilerColdStart = { config, log, reconciler };
  }
  return reconcilerColdStart;
}

/** Tests build handlers against fresh settings. */
export function resetCleanupColdStart(): void {
  coldStart = undefined;
  reconcilerColdStart = undefined;
}
