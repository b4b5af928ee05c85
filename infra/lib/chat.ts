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
import { chatFunction } from './chatRuntime.js';
import { chatWorkTimeout } from './chatWorkTimeout.js';
import { DigestFunction } from './digest.js';
import type { HandlerFunction } from './handlerFunction.js';
import { publicFunctionUrl } from './publicEndpoint.js';
import type { SharedResources } from './sharedResources.js';

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
  /** Absent in a Teams-only deployment (`slack=false`): it could only fail every request. */
  readonly slackEvents?: HandlerFunction;
  readonly chatNotify: HandlerFunction;
  /** The weekly digest: Slack's function (with the chart) and Teams' (tables), each when its platform is on. */
  readonly digest: DigestFunction;
  readonly slackUrl?: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    if (shared.settings.slackEnabled) {
      this.slackEvents = chatFunction(this, 'SlackEvents', shared, {
        handler: 'slackEvents',
        description: 'Slack commands and buttons (Function URL)',
        // Requests are answered within the 2 s budget; a handed-off click keeps trying while
        // AWS fails for up to CHAT_ACTION_DEADLINE (2 minutes by default) and one try more, then shows its result (chatWorkTimeout.ts).
        timeout: Duration.seconds(chatWorkTimeout(shared.settings.functionEnvironment).seconds),
        // Bolt and its dependencies load noticeably faster with more CPU, and Slack waits only 3 s.
        memorySize: 1024,
        canStopInstances: true,
        handsOffWork: true,
      });
      this.slackUrl = publicFunctionUrl(
        this.slackEvents.fn,
        'Slack signs every request (v0 HMAC-SHA256 with the signing secret)',
      );
    }

    this.chatNotify = chatFunction(this, 'ChatNotify', shared, {
      handler: 'chatNotify',
      description: 'posts nags and instance events to Slack and Teams channels',
      timeout: Duration.seconds(60),
      memorySize: 512,
      canStopInstances: false,
      deadLetterQueue: shared.asyncFailures,
    });

    this.digest = new DigestFunction(this, 'WeeklyDigest', shared);

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
