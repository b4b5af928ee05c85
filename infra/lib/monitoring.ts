/**
 * The monitoring engine: `stateChange` reacts to EC2 state-change events
 * (through a queue, in batches), `nagDue` runs when a one-shot schedule fires
 * and publishes the nag, and `reconcile` sweeps every configured region on a
 * rate rule to repair anything an event missed (a lost event, a deploy while
 * instances were running).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
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

export class Monitoring extends Construct {
  readonly stateChange: HandlerFunction;
  readonly nagDue: HandlerFunction;
  readonly reconcile: HandlerFunction;

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
      // Each of them may observe a stop or termination (an event, a nag falling due
      // on a stopped instance, a sweep) and must announce it for chat and cleanup.
      EVENTS_TOPIC_ARN: shared.eventsTopic.topic.topicArn,
    };
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

    this.reconcile = new HandlerFunction(this, 'Reconcile', {
      handler: 'reconcile',
      description: 'sweeps all regions and repairs records and schedules',
      defaults: shared.functionDefaults,
      environment: engineEnv,
      // A sweep pages through DescribeInstances in every region.
      timeout: Duration.minutes(5),
      memorySize: 512,
      deadLetterQueue: shared.asyncFailures,
    });

    for (const f of [this.stateChange, this.nagDue, this.reconcile]) {
      for (const statement of enginePolicies) f.role.addToPolicy(statement);
      f.role.addToPolicy(policy.publishStatement('PublishDomainEvents', shared.eventsTopic.topic.topicArn));
      shared.addEventsPublisher(f.role);
      shared.watch(f);
    }
    this.nagDue.role.addToPolicy(policy.publishStatement('PublishNags', shared.nagTopic.topic.topicArn));

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
