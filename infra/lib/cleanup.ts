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
    const services = s.cloudMapServices.map((r) => `${r.serviceId}@${r.region}`).join(',');

    this.decommission = new HandlerFunction(this, 'Decommission', {
      handler: 'decommission',
      description: 'removes DNS records and Cloud Map registrations of terminated instances',
      defaults: shared.functionDefaults,
      environment: {
        REGIONS: s.regions.join(','),
        TABLE_NAME: table.tableName,
        EVENTS_TOPIC_ARN: shared.eventsTopic.topic.topicArn,
        WEBHOOK_SECRET_ARN: secrets.webhookArn,
        ...(s.hostedZoneIds.length ? { CLEANUP_HOSTED_ZONES: s.hostedZoneIds.join(',') } : {}),
        ...(services ? { CLEANUP_CLOUDMAP_SERVICES: services } : {}),
        ...(s.cleanupWebhookUrls.length ? { CLEANUP_WEBHOOK_URLS: s.cleanupWebhookUrls.join(',') } : {}),
      },
      // Retries with backoff, slow webhooks and Route 53 changes take a while.
      timeout: Duration.minutes(2),
      deadLetterQueue: shared.asyncFailures,
    });
    const role = this.decommission.role;
    role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    role.addToPolicy(policy.readSecretStatement('ReadWebhookSecret', secrets.webhookArn));
    // Before deleting a DNS record: is its IP now another instance's, or a still-allocated Elastic IP?
    role.addToPolicy(
      policy.ec2DescribeStatement(s.regions, ['ec2:DescribeInstances', 'ec2:DescribeAddresses']),
    );
    role.addToPolicy(policy.publishStatement('PublishCleanupOutcome', shared.eventsTopic.topic.topicArn));
    for (const statement of policy.route53Statements(s.hostedZoneIds)) role.addToPolicy(statement);
    for (const statement of policy.cloudMapStatements(s.cloudMapServices)) role.addToPolicy(statement);
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
      environment: {
        REGIONS: s.regions.join(','),
        ...(services ? { CLEANUP_CLOUDMAP_SERVICES: services } : {}),
      },
      timeout: Duration.minutes(5),
      deadLetterQueue: shared.asyncFailures,
    });
    const sweeper = this.cloudmapReconcile.role;
    // It checks registered instances against EC2 in each service's region.
    const serviceRegions = [...new Set([...s.regions, ...s.cloudMapServices.map((r) => r.region)])];
    sweeper.addToPolicy(policy.ec2DescribeStatement(serviceRegions));
    for (const statement of policy.cloudMapStatements(s.cloudMapServices)) sweeper.addToPolicy(statement);
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
