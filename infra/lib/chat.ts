/**
 * Slack and chat delivery. `slackEvents` serves the Slack app (slash commands,
 * buttons, events) behind a Function URL; `chatNotify` posts nags and domain
 * events to the subscribed Slack and Teams channels.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import { publicFunctionUrl } from './publicEndpoint.js';
import {
  monitorEnvironment,
  type SharedResources,
  schedulerEnvironment,
  teamsIdentityEnvironment,
} from './sharedResources.js';

/** A dead-letter queue for messages SNS could not deliver to a function. */
export function deliveryDeadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    // SNS retries for up to ~23 days before giving up; keep what it gives up on for the maximum.
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}

export class Chat extends Construct {
  readonly slackEvents: HandlerFunction;
  readonly chatNotify: HandlerFunction;
  readonly slackUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, schedules, secrets } = shared;

    this.slackEvents = new HandlerFunction(this, 'SlackEvents', {
      handler: 'slackEvents',
      description: 'Slack commands and buttons (Function URL)',
      defaults: shared.functionDefaults,
      environment: {
        ...monitorEnvironment(s),
        TABLE_NAME: table.tableName,
        ...schedulerEnvironment(schedules),
        SLACK_SECRET_ARN: secrets.slackArn,
        ...(schedules.workloadFunctionArn ? { WORKLOAD_FUNCTION_ARN: schedules.workloadFunctionArn } : {}),
      },
      timeout: Duration.seconds(30),
      // Bolt and its dependencies load noticeably faster with more CPU, and Slack waits only 3 s.
      memorySize: 1024,
    });
    const slack = this.slackEvents.role;
    slack.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    slack.addToPolicy(policy.readSecretStatement('ReadSlackSecret', secrets.slackArn));
    // The Stop button, and snooze/extend rescheduling the next nag.
    slack.addToPolicy(policy.ec2DescribeStatement(s.regions));
    slack.addToPolicy(policy.stopMonitoredStatement(s.monitorMode, s.regions));
    slack.addToPolicy(policy.manageSchedulesStatement(schedules.groupName));
    slack.addToPolicy(policy.passSchedulerRoleStatement(schedules.roleArn));
    if (schedules.workloadFunctionArn) {
      slack.addToPolicy(policy.invokeStatement('StartWorkloadRuns', schedules.workloadFunctionArn));
    }
    this.slackUrl = publicFunctionUrl(
      this.slackEvents.fn,
      'Slack signs every request (v0 HMAC-SHA256 with the signing secret)',
    );
    shared.watch(this.slackEvents);

    this.chatNotify = new HandlerFunction(this, 'ChatNotify', {
      handler: 'chatNotify',
      description: 'posts nags and instance events to Slack and Teams channels',
      defaults: shared.functionDefaults,
      environment: {
        TABLE_NAME: table.tableName,
        SLACK_SECRET_ARN: secrets.slackArn,
        TEAMS_SECRET_ARN: secrets.teamsArn,
        ...teamsIdentityEnvironment(s),
      },
      timeout: Duration.seconds(60),
      memorySize: 512,
      deadLetterQueue: shared.asyncFailures,
    });
    const notify = this.chatNotify.role;
    notify.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    notify.addToPolicy(policy.readSecretStatement('ReadSlackSecret', secrets.slackArn));
    notify.addToPolicy(policy.readSecretStatement('ReadTeamsSecret', secrets.teamsArn));
    shared.watch(this.chatNotify);

    const nagDlq = deliveryDeadLetterQueue(this, 'NagDeliveryDlq');
    const eventsDlq = deliveryDeadLetterQueue(this, 'EventDeliveryDlq');
    shared.nagTopic.topic.addSubscription(
      new subscriptions.LambdaSubscription(this.chatNotify.fn, { deadLetterQueue: nagDlq }),
    );
    shared.eventsTopic.topic.addSubscription(
      new subscriptions.LambdaSubscription(this.chatNotify.fn, { deadLetterQueue: eventsDlq }),
    );
    shared.watchQueue('chatNotify nag deliveries', nagDlq);
    shared.watchQueue('chatNotify event deliveries', eventsDlq);
  }
}
