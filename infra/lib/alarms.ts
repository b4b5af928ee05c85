/**
 * Operator alarms: any function error, any throttle, and any message in a
 * dead-letter queue. Lights Out runs unattended, so the first failure is worth
 * a message: a nag that never arrives costs money silently.
 *
 * Actions go to an existing SNS topic (`alarmTopicArn`), or to a topic created
 * here with an email subscription (`operatorEmail`); without either the alarms
 * still show in the CloudWatch console.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HandlerFunction } from './handlerFunction.js';
import type { Settings } from './settings.js';
import { EncryptedTopic, type TopicKey } from './topics.js';

export interface AlarmsProps {
  settings: Settings;
  /** Key for the alarm topic created for `operatorEmail`. */
  key: TopicKey;
}

export class Alarms extends Construct {
  /** Where alarm actions go; undefined when neither setting is given. */
  readonly topic?: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { alarmTopicArn, operatorEmail } = props.settings;
    if (alarmTopicArn) {
      this.topic = sns.Topic.fromTopicArn(this, 'OperatorTopic', alarmTopicArn);
    } else if (operatorEmail) {
      props.key.allowServicePublisher('CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com');
      const created = new EncryptedTopic(this, 'OperatorTopic', {
        key: props.key.key,
        displayName: 'Lights Out alarms',
      });
      // The topic has a resource policy (TLS only), which replaces SNS's default
      // owner policy, so CloudWatch must be allowed to publish explicitly.
      created.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [created.topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      );
      created.topic.addSubscription(new subscriptions.EmailSubscription(operatorEmail));
      this.topic = created.topic;
    }
  }

  /** Errors and throttles of one function. */
  watchFunction(f: HandlerFunction, name: string): void {
    this.add(`${name}Errors`, f.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), {
      description: `Lights Out ${name} failed; see its log group ${f.logGroup.logGroupName}`,
    });
    this.add(`${name}Throttles`, f.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), {
      description: `Lights Out ${name} was throttled (account concurrency exhausted?); events may be delayed`,
    });
  }

  /** Depth of one dead-letter queue: anything in it is a message that was not handled. */
  watchQueue(id: string, label: string, queue: sqs.IQueue): void {
    this.add(
      `${id}Depth`,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      {
        description: `Lights Out: messages in the ${label} dead-letter queue; inspect and redrive them`,
      },
    );
  }

  private add(id: string, metric: cloudwatch.IMetric, { description }: { description: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (this.topic) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
    }
    this.alarms.push(alarm);
  }
}
