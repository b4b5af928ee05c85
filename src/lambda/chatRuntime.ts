/**
 * Cold-start wiring shared by the chat Lambda functions (slackEvents,
 * chatNotify, teamsMessages): config, DynamoDB stores, EC2, the monitor
 * engine and the chat core with every configured platform's gateway. Slack
 * and Teams are each optional (a deployment may run either or both); each
 * entry point passes a loader for the platforms it can serve, and a loader
 * runs only when its platform is configured, so a Slack-only deployment
 * never loads the Agents SDK and a Teams-only one never loads the Slack client.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  configureAwsClients,
  dynamoDocumentClient,
  loadEc2Client,
  schedulerClient,
  snsClient,
} from '../aws/clients.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { DynamoChatInstallationStore } from '../aws/dynamodb/chatInstallationStore.js';
import { DynamoIdempotencyStore } from '../aws/dynamodb/idempotencyStore.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { DynamoSubscriptionStore } from '../aws/dynamodb/subscriptionStore.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { EventBridgeNagScheduler } from '../aws/eventBridgeNagScheduler.js';
import { SnsNotifier } from '../aws/snsNotifier.js';
import { type ChatCore, createChatCore } from '../chat/core/chatCore.js';
import { OwnerReach } from '../chat/core/ownerReach.js';
import { workloadCommands } from '../chat/core/workloadCommands.js';
import { type Config, ConfigError, type Env, loadConfig } from '../config/index.js';
import { createLogger, type Log } from '../log.js';
import type { ChatInstallationStore } from '../ports/chatInstallationStore.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { SubscriptionStore } from '../ports/subscriptionStore.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { RunStopper } from '../services/monitor/stop.js';
import { awsWorkloadRuntime } from '../wiring/workloadWiring.js';
// Type-only: the platform modules are loaded through the loaders below.
import type { chatConsents, chatStopScheduler } from './chatConsents.js';
import { lambdaDigestCommands } from './digestRequest.js';
import type { LambdaSlack, slackAtColdStart } from './slackRuntime.js';
import type { LambdaTeams, teamsAtColdStart } from './teamsRuntime.js';

export interface LambdaChat {
  config: Config;
  /** Absent when this deployment does not use Slack (or the function does not serve it). */
  slack?: LambdaSlack;
  /** Absent when this deployment does not use Teams (or the function does not serve it). */
  teams?: LambdaTeams;
  installations: ChatInstallationStore;
  core: ChatCore;
  instances: InstanceStore;
  subscriptions: SubscriptionStore;
  clock: Clock;
  log: Log;
}

export interface LambdaChatOptions {
  clock?: Clock;
  secrets?: SecretsManagerClient;
  /** `() => import('./slackRuntime.js')`: functions that post to or serve Slack pass it. */
  slack?: () => Promise<{ slackAtColdStart: typeof slackAtColdStart }>;
  /** `() => import('./teamsRuntime.js')`: functions that post to or serve Teams pass it. */
  teams?: () => Promise<{ teamsAtColdStart: typeof teamsAtColdStart }>;
  /**
   * `() => import('./chatConsents.js')`: consented stops (stop --at/--in/--when-idle
   * and the nag's consent controls), passed by the functions that receive
   * commands and clicks. chatNotify only posts, so its bundle leaves them out.
   */
  consents?: () => Promise<{
    chatConsents: typeof chatConsents;
    chatStopScheduler: typeof chatStopScheduler;
  }>;
}

/** Whether this deployment makes stop schedules (the stack gave the consent function and the scheduler role). */
const chatStopSchedulerConfigured = (config: Config): boolean =>
  config.scheduler.consentTargetArn !== undefined && config.scheduler.roleArn !== undefined;

export async function buildLambdaChat(env: Env, opts: LambdaChatOptions = {}): Promise<LambdaChat> {
  const config = loadConfig(env);
  configureAwsClients(config.aws.clients);
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
  const secrets = opts.secrets ?? new SecretsManagerClient({ region });
  const slack =
    config.slack.enabled && opts.slack
      ? await (await opts.slack()).slackAtColdStart(config, log, { secrets })
      : undefined;

  const doc = dynamoDocumentClient(region);
  const table = config.store.tableName!;
  const instances = new DynamoInstanceStore(doc, table, { clock });
  const subscriptions = new DynamoSubscriptionStore(doc, table);
  const installations = new DynamoChatInstallationStore(doc, table);
  const teams =
    config.teams.enabled && opts.teams
      ? await (await opts.teams()).teamsAtColdStart(config, log, { secrets, installations })
      : undefined;
  if (!slack && !teams) {
    throw new ConfigError([
      'No chat platform is configured: set SLACK_SECRET_ARN (Slack) and/or connections__serviceConnection__settings__clientId with TEAMS_SECRET_ARN (Teams)',
    ]);
  }
  const fleet = new Ec2Fleet(loadEc2Client);
  const consentWiring = opts.consents ? await opts.consents() : undefined;
  // A Stop click or command deletes the run's stop schedule through it (stopRequested).
  const stopScheduler = consentWiring?.chatStopScheduler(config, clock);
  const monitor = new MonitorService({
    fleet,
    store: instances,
    scheduler: new EventBridgeNagScheduler(schedulerClient(region), {
      groupName: config.scheduler.groupName,
      targetArn: config.scheduler.nagTargetArn!,
      roleArn: config.scheduler.roleArn!,
      clock,
    }),
    ...(stopScheduler ? { stopScheduler } : {}),
    notifier: config.monitor.snsTopicArn
      ? new SnsNotifier(snsClient(region), config.monitor.snsTopicArn)
      : { notify: async () => Promise.reject(new Error('SNS_TOPIC_ARN is not set for this function')) },
    // Events go into the outbox with the record; the table's stream delivers them.
    events: { publish: async () => undefined },
    clock,
    settings: config.monitor,
    log,
  });

  const audit = new DynamoAuditLog(doc, table);
  // Workload tier stops from `/ec2 workload` go through the same stop operation as a click.
  const stopper = new RunStopper({ monitor, store: instances, fleet, audit, clock, log });
  const gateways = [...(slack ? [slack.gateway] : []), ...(teams ? [teams.transport.gateway] : [])];
  const core = createChatCore({
    monitor,
    fleet,
    audit,
    instances,
    subscriptions,
    idempotency: new DynamoIdempotencyStore(doc, table),
    gateways,
    policies: {
      ...(slack ? { slack: slack.policy } : {}),
      ...(teams ? { teams: teams.policy } : {}),
    },
    fallbackChannels: {
      ...(slack?.fallbackChannel ? { slack: slack.fallbackChannel } : {}),
      ...(teams?.fallbackChannel ? { teams: teams.fallbackChannel } : {}),
    },
    repeatMode: slack?.config.repeatNags ?? 'update',
    owners: new OwnerReach(
      [...(slack ? [slack.ownerDirectory] : []), ...(teams?.ownerDirectory ? [teams.ownerDirectory] : [])],
      clock,
    ),
    ownerTag: config.monitor.ownerTag,
    // chatNotify posts the nags whose consent controls the command endpoints carry out:
    // they are offered wherever the stack deployed the consent function.
    ...(chatStopSchedulerConfigured(config)
      ? {
          offers: {
            stopAt: true,
            idleWindowSeconds: config.idle.defaultWindowSeconds,
          },
        }
      : {}),
    ...(consentWiring && stopScheduler
      ? {
          idleStops: consentWiring.chatConsents(config, {
            monitor,
            stopScheduler,
            store: instances,
            fleet,
            audit,
            clock,
            log,
          }),
        }
      : {}),
    extensions: [
      // `/ec2 workload …` joins when this function is given the workload step function.
      ...(config.workloads.stepFunctionArn
        ? [
            workloadCommands({
              service: awsWorkloadRuntime(config, { log, clock, fleet, stopper }).service,
              admins: config.workloads.admins,
              posters: [
                ...(slack ? [slack.workloadProgress] : []),
                ...(teams ? [teams.workloadProgress] : []),
              ],
              clock,
            }),
          ]
        : []),
      // `/ec2 digest …` joins when this function is given the digest function.
      ...[lambdaDigestCommands(config, { doc, subscriptions, clock })].filter((e) => e !== undefined),
    ],
    clock,
    log,
  });
  return { config, slack, teams, installations, core, instances, subscriptions, clock, log };
}
