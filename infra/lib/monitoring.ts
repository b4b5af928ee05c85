/**
 * The monitoring engine: `stateChange` reacts to EC2 state-change events
 * (through a queue, in batches), `nagDue` runs when a one-shot schedule fires
 * and publishes the nag, and `reconcile` sweeps every configured region on a
 * rate rule to repair anything an event missed (a lost event, a deploy while
 * instances were running). Domain events go into the table's outbox with the
 * record write; `outboxStream` publishes them to the events topic from the
 * table's stream, and `reconcile` redrives the ones whose delivery failed.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import { monitorEnvironment, type SharedResources, schedulerEnvironment } from './sharedResources.js';

/** EC2 states the engine acts on; `pending` carries nothing a running-time clock needs. */
export const HANDLED_STATES = ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'];

/** The EventBridge pattern for those states, shared with the per-region forwarders. */
export const STATE_CHANGE_PATTERN: events.EventPattern = {
  source: ['aws.ec2'],
  detailType: ['EC2 Instance State-change Notification'],
  detail: { state: HANDLED_STATES },
};

/** Fixed name of the nag function, so schedules can target it before it exists. */
export const nagFunctionName = (stack: Stack): string => `${stack.stackName}-nagDue`.slice(0, 64);

/** Fixed name of the consent function, so stop schedules can target it before it exists. */
export const consentFunctionName = (stack: Stack): string => `${stack.stackName}-consentStop`.slice(0, 64);

export class Monitoring extends Construct {
  readonly stateChange: HandlerFunction;
  readonly nagDue: HandlerFunction;
  /** Performs consented stops when their one-shot schedules fire (and sends the warning before). */
  readonly consentStop: HandlerFunction;
  /** Checks "stop when idle" consents against CloudWatch on a rate rule; warns, then stops. */
  readonly idleCheck: HandlerFunction;
  readonly reconcile: HandlerFunction;
  readonly outboxStream: HandlerFunction;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, schedules } = shared;
    const engineEnv = {
      ...monitorEnvironment(s),
      TABLE_NAME: table.tableName,
      ...schedulerEnvironment(schedules),
      // The engine's wiring requires the nag topic's ARN in every function; only
      // nagDue may publish to it (the topic policy denies everyone else).
      SNS_TOPIC_ARN: shared.nagTopic.topic.topicArn,
    };
    // Stops and terminations the engine observes go into the outbox with the
    // record; only the outbox's deliverers publish them for chat and cleanup.
    const eventsEnv = { EVENTS_TOPIC_ARN: shared.eventsTopic.topic.topicArn };
    // Every engine function keeps records and (re)schedules nags, and checks
    // instances against EC2 before acting on them.
    const enginePolicies = [
      policy.tableReadWriteStatement(table.tableArn),
      policy.ec2DescribeStatement(s.regions),
      policy.manageSchedulesStatement(schedules.groupName),
      policy.listSchedulesStatement(),
      policy.passSchedulerRoleStatement(schedules.roleArn),
    ];

    this.stateChange = new HandlerFunction(this, 'StateChange', {
      handler: 'stateChange',
      description: 'records EC2 state changes and schedules the first nag',
      defaults: shared.functionDefaults,
      environment: engineEnv,
      timeout: Duration.seconds(30),
    });

    this.nagDue = new HandlerFunction(this, 'NagDue', {
      handler: 'nagDue',
      description: 'publishes a nag when its schedule fires and schedules the next one',
      defaults: shared.functionDefaults,
      environment: engineEnv,
      timeout: Duration.seconds(30),
      functionName: nagFunctionName(Stack.of(this)),
      deadLetterQueue: shared.asyncFailures,
    });

    this.consentStop = new HandlerFunction(this, 'ConsentStop', {
      handler: 'consentStop',
      description: 'warns before a consented stop and performs it when its schedule fires',
      defaults: shared.functionDefaults,
      environment: engineEnv,
      timeout: Duration.seconds(30),
      functionName: consentFunctionName(Stack.of(this)),
      deadLetterQueue: shared.asyncFailures,
    });

    this.idleCheck = new HandlerFunction(this, 'IdleCheck', {
      handler: 'idleCheck',
      description:
        'checks stop-when-idle consents against CloudWatch; warns, then stops after the grace period',
      defaults: shared.functionDefaults,
      environment: engineEnv,
      // One batched GetMetricData call per 500 metrics per region, then the warnings and stops.
      timeout: Duration.minutes(2),
    });

    this.reconcile = new HandlerFunction(this, 'Reconcile', {
      handler: 'reconcile',
      description: 'sweeps all regions and repairs records and schedules',
      defaults: shared.functionDefaults,
      environment: { ...engineEnv, ...eventsEnv },
      // A sweep pages through DescribeInstances in every region.
      timeout: Duration.minutes(5),
      memorySize: 512,
      deadLetterQueue: shared.asyncFailures,
    });

    this.outboxStream = new HandlerFunction(this, 'OutboxStream', {
      handler: 'outboxStream',
      description: 'publishes domain events from the outbox (table stream) to the events topic',
      defaults: shared.functionDefaults,
      environment: { REGIONS: s.regions.join(','), TABLE_NAME: table.tableName, ...eventsEnv },
      timeout: Duration.seconds(30),
    });

    for (const f of [this.stateChange, this.nagDue, this.consentStop, this.idleCheck, this.reconcile]) {
      for (const statement of enginePolicies) f.role.addToPolicy(statement);
      shared.watch(f);
    }
    // A consented stop goes through the same tag-conditioned permission as the Stop button.
    this.consentStop.role.addToPolicy(policy.stopMonitoredStatement(s.monitorMode, s.regions));
    // An idle stop goes through the same grant, after reading CloudWatch (resource * is all IAM allows).
    this.idleCheck.role.addToPolicy(policy.stopMonitoredStatement(s.monitorMode, s.regions));
    this.idleCheck.role.addToPolicy(policy.readMetricsStatement(s.regions));
    for (const f of [this.reconcile, this.outboxStream]) {
      f.role.addToPolicy(policy.publishStatement('PublishDomainEvents', shared.eventsTopic.topic.topicArn));
      shared.addEventsPublisher(f.role);
    }
    // Outbox entries are read from the stream, then deleted or updated in place.
    this.outboxStream.role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    shared.watch(this.outboxStream);
    const outboxFailures = new sqs.Queue(this, 'OutboxStreamFailures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    shared.watchQueue('outbox-stream', outboxFailures);
    this.outboxStream.fn.addEventSource(
      new DynamoEventSource(table, {
        // From the oldest record kept: a deploy or an outage of the function loses no entry.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        // The handler records delivery failures in the entry itself; only a failure to
        // record one comes back here, retried a few times, then its position is parked.
        retryAttempts: 5,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(outboxFailures),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { pk: { S: lambda.FilterRule.isEqual('OUTBOX') } } },
          }),
        ],
      }),
    );
    this.nagDue.role.addToPolicy(policy.publishStatement('PublishNags', shared.nagTopic.topic.topicArn));
    // The nag's idle evidence line ("CPU 0.4% avg over the last 2h · network 12 KB").
    this.nagDue.role.addToPolicy(policy.readMetricsStatement(s.regions));
    // A stop-protected instance's nag shows "stop-protected" instead of Stop.
    this.nagDue.role.addToPolicy(policy.readStopProtectionStatement(s.regions));
    // Runs are priced when first seen (state change, sweep) and again by a nag once the
    // price is a day old; consentStop applies the states it observes the same way.
    for (const fn of [this.stateChange, this.nagDue, this.reconcile, this.consentStop]) {
      for (const statement of policy.readPricesStatements(s.regions)) fn.role.addToPolicy(statement);
    }

    // EC2 state changes are buffered in a queue so a burst (an Auto Scaling group
    // scaling out, a fleet stop) reaches stateChange in batches: one DescribeInstances
    // serves the whole batch, and failed records retry alone (partial batch response).
    const stateChangeDlq = new sqs.Queue(this, 'StateChangeDlq', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const stateChanges = new sqs.Queue(this, 'StateChangeQueue', {
      // Lambda's guidance: at least six times the function timeout.
      visibilityTimeout: Duration.minutes(3),
      retentionPeriod: Duration.days(4),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: stateChangeDlq, maxReceiveCount: 5 },
    });
    shared.watchQueue('state-change', stateChangeDlq);
    this.stateChange.fn.addEventSource(
      new SqsEventSource(stateChanges, {
        batchSize: 100,
        // A few seconds of latency is nothing against hours of runtime, and it fills batches.
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
      }),
    );
    new events.Rule(this, 'StateChangeRule', {
      description: 'Lights Out: EC2 instance state changes the engine handles',
      eventPattern: STATE_CHANGE_PATTERN,
      targets: [
        new targets.SqsQueue(stateChanges, {
          deadLetterQueue: shared.asyncFailures,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    new events.Rule(this, 'IdleCheckRule', {
      description: 'Lights Out: periodic check of stop-when-idle consents',
      schedule: events.Schedule.rate(Duration.minutes(s.idleCheckEveryMinutes)),
      targets: [
        new targets.LambdaFunction(this.idleCheck.fn, {
          deadLetterQueue: shared.asyncFailures,
          // The next tick checks again; an old retry would only repeat it.
          retryAttempts: 0,
        }),
      ],
    });

    new events.Rule(this, 'ReconcileRule', {
      description: 'Lights Out: periodic reconcile sweep',
      schedule: events.Schedule.rate(Duration.minutes(s.reconcileEveryMinutes)),
      targets: [
        new targets.LambdaFunction(this.reconcile.fn, {
          deadLetterQueue: shared.asyncFailures,
          retryAttempts: 2,
        }),
      ],
    });
  }
}
