/**
 * Cold-start wiring shared by the chat Lambda functions (slackEvents,
 * chatNotify): config, the Slack secret, DynamoDB stores, EC2, the monitor
 * engine and the chat core with every configured platform's gateway.
 * To add a platform (Teams), add its gateway to `gateways` below.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WebClient } from '@slack/web-api';
import { dynamoDocumentClient, ec2Client, schedulerClient, snsClient } from '../aws/clients.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { DynamoIdempotencyStore } from '../aws/dynamodb/idempotencyStore.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { DynamoSubscriptionStore } from '../aws/dynamodb/subscriptionStore.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { awsCall } from '../aws/errors.js';
import { EventBridgeNagScheduler } from '../aws/eventBridgeNagScheduler.js';
import { SnsDomainEventPublisher } from '../aws/snsDomainEventPublisher.js';
import { SnsNotifier } from '../aws/snsNotifier.js';
import { type ChatCore, createChatCore } from '../chat/core/chatCore.js';
import { createSlackWebClient } from '../chat/slack/slackApp.js';
import { SlackGateway } from '../chat/slack/slackGateway.js';
import { type Config, ConfigError, type Env, loadConfig } from '../config/index.js';
import { type SlackConfig, withSlackSecret } from '../config/slack.js';
import { createLogger, type Log } from '../log.js';
import type { ChatGateway } from '../ports/chat.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { SubscriptionStore } from '../ports/subscriptionStore.js';
import { MonitorService } from '../services/monitor/monitorService.js';

export interface LambdaChat {
  config: Config;
  slack: SlackConfig & { signingSecret: string; botToken: string };
  slackClient: WebClient;
  core: ChatCore;
  instances: InstanceStore;
  subscriptions: SubscriptionStore;
  clock: Clock;
  log: Log;
}

export interface LambdaChatOptions {
  clock?: Clock;
  secrets?: SecretsManagerClient;
}

/** Reads SLACK_SECRET_ARN's JSON secret once; the values never reach the logs. */
async function readSlackSecret(config: Config, client: SecretsManagerClient) {
  const arn = config.slack.secretArn;
  if (!arn) {
    throw new ConfigError([
      'SLACK_SECRET_ARN is required on Lambda: a Secrets Manager secret {"signingSecret","botToken"}',
    ]);
  }
  const res = await awsCall(`GetSecretValue ${arn}`, () =>
    client.send(new GetSecretValueCommand({ SecretId: arn })),
  );
  return withSlackSecret(config.slack, res.SecretString ?? '');
}

export async function buildLambdaChat(env: Env, opts: LambdaChatOptions = {}): Promise<LambdaChat> {
  const config = loadConfig(env);
  const log = createLogger('lightsout-chat', config.logLevel);
  const problems = [
    config.store.tableName ? '' : 'TABLE_NAME is required on Lambda: the Lights Out DynamoDB table',
    config.scheduler.nagTargetArn
      ? ''
      : 'NAG_FUNCTION_ARN is required on Lambda: the function nag schedules invoke',
    config.scheduler.roleArn
      ? ''
      : 'SCHEDULER_ROLE_ARN is required on Lambda: the role EventBridge Scheduler assumes',
  ].filter(Boolean);
  if (problems.length) throw new ConfigError(problems);
  const region = config.monitor.regions[0] ?? 'us-east-1';
  const clock = opts.clock ?? systemClock;
  const slack = await readSlackSecret(config, opts.secrets ?? new SecretsManagerClient({ region }));

  const doc = dynamoDocumentClient(region);
  const table = config.store.tableName!;
  const instances = new DynamoInstanceStore(doc, table, { clock });
  const subscriptions = new DynamoSubscriptionStore(doc, table);
  const fleet = new Ec2Fleet(ec2Client);
  const monitor = new MonitorService({
    fleet,
    store: instances,
    scheduler: new EventBridgeNagScheduler(schedulerClient(region), {
      groupName: config.scheduler.groupName,
      targetArn: config.scheduler.nagTargetArn!,
      roleArn: config.scheduler.roleArn!,
      clock,
    }),
    notifier: config.monitor.snsTopicArn
      ? new SnsNotifier(snsClient(region), config.monitor.snsTopicArn)
      : { notify: async () => Promise.reject(new Error('SNS_TOPIC_ARN is not set for this function')) },
    events: config.monitor.eventsTopicArn
      ? new SnsDomainEventPublisher(snsClient(region), config.monitor.eventsTopicArn)
      : { publish: async () => undefined },
    clock,
    settings: config.monitor,
    log,
  });

  const slackClient = createSlackWebClient(slack, log);
  const gateways: ChatGateway[] = [new SlackGateway(slackClient)];
  const core = createChatCore({
    monitor,
    fleet,
    audit: new DynamoAuditLog(doc, table),
    instances,
    subscriptions,
    idempotency: new DynamoIdempotencyStore(doc, table),
    gateways,
    policies: { slack: { stopAllow: slack.stopAllow, admins: slack.admins } },
    fallbackChannels: slack.fallbackChannel
      ? { slack: { platform: 'slack', channelId: slack.fallbackChannel } }
      : {},
    repeatMode: slack.repeatNags,
    clock,
    log,
  });
  return { config, slack, slackClient, core, instances, subscriptions, clock, log };
}
