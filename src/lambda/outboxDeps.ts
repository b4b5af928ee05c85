/**
 * The outbox on AWS: entries in the state table, delivered to the events
 * topic. Used by the stream function (first delivery) and the reconcile
 * sweep (retries after their backoff).
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { configureAwsClients, dynamoDocumentClient, snsClient } from '../aws/clients.js';
import { DynamoOutbox } from '../aws/dynamodb/outbox.js';
import { DynamoRunHistory } from '../aws/dynamodb/runHistory.js';
import { SnsDomainEventPublisher } from '../aws/snsDomainEventPublisher.js';
import { type Config, ConfigError, type Env, loadConfig } from '../config/index.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import { runHistoryRecorder } from '../services/monitor/runHistoryRecorder.js';
import { OutboxDeliverer } from '../services/outbox/outboxDeliverer.js';

/** Never-attempted entries younger than this belong to the stream; a sweep leaves them alone. */
export const STREAM_GRACE_SECONDS = 120;

export function awsOutboxDeliverer(config: Config, log: Log, clock: Clock = systemClock): OutboxDeliverer {
  const home = config.monitor.regions[0] ?? 'us-east-1';
  const problems: string[] = [];
  if (!config.store.tableName) problems.push('TABLE_NAME is required: the DynamoDB table name');
  if (!config.monitor.eventsTopicArn) {
    problems.push('EVENTS_TOPIC_ARN is required to deliver domain events: the events topic ARN');
  }
  if (problems.length) throw new ConfigError(problems);
  const topicArn = config.monitor.eventsTopicArn!;
  const topic = new SnsDomainEventPublisher(snsClient(topicArn.split(':')[3] || home), topicArn);
  const doc = dynamoDocumentClient(home);
  // An ended run is recorded in the history before the event goes out: a failure of
  // either leaves the entry in the outbox, and both writes are safe to repeat.
  const recordRun = runHistoryRecorder(
    new DynamoRunHistory(doc, config.store.tableName!, { retentionDays: config.digest.historyRetentionDays }),
    { ownerTag: config.monitor.ownerTag },
  );
  return new OutboxDeliverer({
    outbox: new DynamoOutbox(doc, config.store.tableName!, { clock }),
    sink: async (event) => {
      await recordRun(event);
      await topic.publish(event);
    },
    clock,
    policy: config.delivery.outboxRetry,
    log,
  });
}

let coldStart: { deliverer: OutboxDeliverer; log: Logger } | undefined;

export function outboxAtColdStart(env: Env): { deliverer: OutboxDeliverer; log: Logger } {
  if (!coldStart) {
    const config = loadConfig(env);
    configureAwsClients(config.aws.clients);
    const log = createLogger('lightsout-outbox', config.logLevel);
    coldStart = { deliverer: awsOutboxDeliverer(config, log), log };
  }
  return coldStart;
}
