/**
 * Cleanup after terminations: `decommission` receives `instance.terminated`
 * events and removes the instance's DNS records, Cloud Map registrations and
 * calls webhooks; `cloudmapReconcile` periodically deregisters Cloud Map
 * instances whose EC2 instance is gone (for events that were missed).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { deliveryDeadLetterQueue } from './chat.js';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import type { SharedResources } from './sharedResources.js';

export class Cleanup extends Construct {
  readonly decommission: HandlerFunction;
  readonly cloudmapReconcile: HandlerFunction;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, secrets } = shared;
    const targetsEnv = {
      HOSTED_ZONE_IDS: s.hostedZoneIds.join(','),
      CLOUD_MAP_SERVICE_IDS: s.cloudMapServiceIds.join(','),
    };

    this.decommission = new HandlerFunction(this, 'Decommission', {
      handler: 'decommission',
      description: 'removes DNS records and Cloud Map registrations of terminated instances',
      defaults: shared.functionDefaults,
      environment: {
        TABLE_NAME: table.tableName,
        EVENTS_TOPIC_ARN: shared.eventsTopic.topic.topicArn,
        WEBHOOK_SECRET_ARN: secrets.webhookArn,
        ...targetsEnv,
      },
      // Route 53 changes take a while to reach INSYNC; webhooks may be slow.
      timeout: Duration.minutes(2),
      deadLetterQueue: shared.asyncFailures,
    });
    const role = this.decommission.role;
    role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    role.addToPolicy(policy.readSecretStatement('ReadWebhookSecret', secrets.webhookArn));
    role.addToPolicy(policy.publishStatement('PublishCleanupOutcome', shared.eventsTopic.topic.topicArn));
    for (const statement of policy.route53Statements(s.hostedZoneIds)) role.addToPolicy(statement);
    for (const statement of policy.cloudMapStatements(s.cloudMapServiceIds)) role.addToPolicy(statement);
    shared.addEventsPublisher(role);
    shared.watch(this.decommission);

    const dlq = deliveryDeadLetterQueue(this, 'TerminationDeliveryDlq');
    shared.eventsTopic.topic.addSubscription(
      new subscriptions.LambdaSubscription(this.decommission.fn, {
        deadLetterQueue: dlq,
        // Only terminations need cleanup; the publisher sets this attribute on every event.
        filterPolicy: { Event: sns.SubscriptionFilter.stringFilter({ allowlist: ['instance.terminated'] }) },
      }),
    );
    shared.watchQueue('decommission deliveries', dlq);

    this.cloudmapReconcile = new HandlerFunction(this, 'CloudMapReconcile', {
      handler: 'cloudmapReconcile',
      description: 'deregisters Cloud Map instances whose EC2 instance no longer exists',
      defaults: shared.functionDefaults,
      environment: { TABLE_NAME: table.tableName, REGIONS: s.regions.join(','), ...targetsEnv },
      timeout: Duration.minutes(5),
      deadLetterQueue: shared.asyncFailures,
    });
    const sweeper = this.cloudmapReconcile.role;
    sweeper.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    sweeper.addToPolicy(policy.ec2DescribeStatement(s.regions));
    for (const statement of policy.cloudMapStatements(s.cloudMapServiceIds)) sweeper.addToPolicy(statement);
    shared.watch(this.cloudmapReconcile);

    new events.Rule(this, 'CloudMapReconcileRule', {
      description: 'Lights Out: periodic Cloud Map reconcile sweep',
      schedule: events.Schedule.rate(Duration.minutes(s.cloudMapReconcileEveryMinutes)),
      targets: [
        new targets.LambdaFunction(this.cloudmapReconcile.fn, {
          deadLetterQueue: shared.asyncFailures,
          retryAttempts: 2,
        }),
      ],
    });
  }
}
