/**
 * The Lights Out stack in the home region: the shared table, topics, secrets
 * and schedule group, and one construct per feature whose handlers exist.
 */
import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.js';
import { Chat } from './chat.js';
import { Cleanup } from './cleanup.js';
import { digestFunctionName, teamsDigestFunctionName } from './digest.js';
import type { Feature } from './features.js';
import type { BundlingMode, HandlerFunction } from './handlerFunction.js';
import { consentFunctionName, Monitoring, nagFunctionName } from './monitoring.js';
import { suppressAcceptedFindings } from './nagSuppressions.js';
import { Schedules } from './schedules.js';
import { ChatSecrets } from './secrets.js';
import type { Settings } from './settings.js';
import type { ScheduleTargets, SharedResources } from './sharedResources.js';
import { StateTable } from './stateTable.js';
import { Teams } from './teams.js';
import { EncryptedTopic, TopicKey } from './topics.js';
import { Workloads, workloadFunctionName } from './workloads.js';

export interface LightsOutStackProps extends StackProps {
  settings: Settings;
  /** Features to deploy; `monitoring` is always included. */
  features: Feature[];
  bundling: BundlingMode;
}

export class LightsOutStack extends Stack {
  readonly alarms: Alarms;
  readonly monitoring: Monitoring;
  readonly chat?: Chat;
  readonly teams?: Teams;
  readonly workloads?: Workloads;
  readonly cleanup?: Cleanup;

  constructor(scope: Construct, id: string, props: LightsOutStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const has = (f: Feature) => props.features.includes(f);

    const table = new StateTable(this, 'State').table;
    const secrets = new ChatSecrets(this, 'Secrets', { prefix: this.stackName });
    const nagKey = new TopicKey(this, 'NagKey', {
      description: 'Lights Out: nag topic (only the nag function publishes)',
    });
    const eventsKey = new TopicKey(this, 'EventsKey', {
      description: 'Lights Out: domain events and alarm topics',
    });
    const nagTopic = new EncryptedTopic(this, 'NagTopic', {
      key: nagKey.key,
      displayName: 'Lights Out nags',
    });
    const eventsTopic = new EncryptedTopic(this, 'EventsTopic', {
      key: eventsKey.key,
      displayName: 'Lights Out events',
    });
    const asyncFailures = new sqs.Queue(this, 'AsyncFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const fnArn = (name: string) =>
      this.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const nagFunctionArn = fnArn(nagFunctionName(this));
    const consentFunctionArn = fnArn(consentFunctionName(this));
    const workloadFunctionArn = has('workloads') ? fnArn(workloadFunctionName(this)) : undefined;
    // One digest function per chat platform (see infra/lib/digest.ts).
    const digestFunctionArn =
      has('chat') && settings.slackEnabled ? fnArn(digestFunctionName(this)) : undefined;
    const teamsDigestFunctionArn =
      has('chat') && settings.teamsAppId !== undefined ? fnArn(teamsDigestFunctionName(this)) : undefined;
    const schedulesConstruct = new Schedules(this, 'Schedules', {
      groupName: settings.scheduleGroupName,
      targetFunctionArns: [
        nagFunctionArn,
        consentFunctionArn,
        ...(workloadFunctionArn ? [workloadFunctionArn] : []),
      ],
    });
    const schedules: ScheduleTargets = {
      groupName: settings.scheduleGroupName,
      roleArn: schedulesConstruct.role.roleArn,
      nagFunctionArn,
      consentFunctionArn,
      workloadFunctionArn,
      digestFunctionArn,
      teamsDigestFunctionArn,
    };

    this.alarms = new Alarms(this, 'Alarms', { settings, key: eventsKey });
    this.alarms.watchQueue('AsyncFailures', 'asynchronous invocation failures', asyncFailures);
    const eventsPublishers: iam.IRole[] = [];
    const shared: SharedResources = {
      settings,
      functionDefaults: {
        bundling: props.bundling,
        logRetentionDays: settings.logRetentionDays,
        bundleAwsSdk: settings.bundleAwsSdk,
        platforms: { slack: settings.slackEnabled, teams: settings.teamsAppId !== undefined },
        logLevel: settings.logLevel,
        passThrough: settings.functionEnvironment,
      },
      table,
      secrets,
      nagTopic,
      eventsTopic,
      schedules,
      asyncFailures,
      watch: (f: HandlerFunction) => this.alarms.watchFunction(f, f.node.id),
      watchQueue: (name, queue) => this.alarms.watchQueue(queue.node.id, name, queue),
      addEventsPublisher: (role) => eventsPublishers.push(role),
    };

    this.monitoring = new Monitoring(this, 'Monitoring', shared);
    if (has('chat')) this.chat = new Chat(this, 'Chat', shared);
    // The Teams endpoint needs the bot's App ID to validate tokens; without it it could only fail every request.
    if (has('teams') && settings.teamsAppId) this.teams = new Teams(this, 'Teams', shared);
    if (has('workloads')) this.workloads = new Workloads(this, 'Workloads', shared);
    if (has('cleanup')) this.cleanup = new Cleanup(this, 'Cleanup', shared);

    const nagPublisher = this.monitoring.nagDue.role;
    nagTopic.restrictPublishersTo([nagPublisher]);
    nagKey.allowPublishersViaSns('NagFunctionPublishesViaSns', [nagPublisher]);
    eventsTopic.restrictPublishersTo(eventsPublishers);
    eventsKey.allowPublishersViaSns('EventPublishersViaSns', eventsPublishers);

    this.outputs(secrets, table.tableName, nagTopic, eventsTopic);
    suppressAcceptedFindings(this, settings);
  }

  private outputs(
    secrets: ChatSecrets,
    tableName: string,
    nag: EncryptedTopic,
    events: EncryptedTopic,
  ): void {
    if (this.chat?.slackUrl) {
      new CfnOutput(this, 'SlackRequestUrl', {
        description:
          'Paste into the Slack app: Event Subscriptions, Interactivity and slash command Request URL',
        value: `${this.chat.slackUrl.url}slack/events`,
      });
    }
    if (this.teams) {
      new CfnOutput(this, 'TeamsMessagingEndpoint', {
        description: 'Paste into the Azure Bot resource: Configuration > Messaging endpoint',
        value: `${this.teams.url.url}api/messages`,
      });
    }
    new CfnOutput(this, 'SlackSecretName', {
      value: secrets.names.slack,
      description: 'JSON {"signingSecret","botToken"}',
    });
    new CfnOutput(this, 'TeamsSecretName', {
      value: secrets.names.teams,
      description: 'JSON {"clientSecret"}',
    });
    new CfnOutput(this, 'WebhookSecretName', {
      value: secrets.names.webhook,
      description: 'Cleanup webhook signing secret',
    });
    new CfnOutput(this, 'TableName', { value: tableName });
    new CfnOutput(this, 'NagTopicArn', { value: nag.topic.topicArn });
    new CfnOutput(this, 'EventsTopicArn', { value: events.topic.topicArn });
    if (this.workloads)
      new CfnOutput(this, 'WorkloadFunctionName', { value: this.workloads.workloadStep.fn.functionName });
  }
}
