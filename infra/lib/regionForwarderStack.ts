/**
 * One small stack per extra region: EC2 state-change events in that region are
 * forwarded to the home region's default event bus, where the engine's rule
 * picks them up (the events keep their original `region`). Nothing else runs in
 * the extra regions; the reconcile sweep reads them from the home region.
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { STATE_CHANGE_PATTERN } from './monitoring.js';

export interface RegionForwarderStackProps extends StackProps {
  homeRegion: string;
}

export class RegionForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: RegionForwarderStackProps) {
    super(scope, id, props);
    const homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeBus',
      `arn:${Aws.PARTITION}:events:${props.homeRegion}:${Aws.ACCOUNT_ID}:event-bus/default`,
    );
    const role = new iam.Role(this, 'ForwardRole', {
      description: `Lights Out: forward EC2 state changes to ${props.homeRegion}`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    // The EventBus target grants this role events:PutEvents on the home bus, and nothing else.
    const undelivered = new sqs.Queue(this, 'ForwardFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    new events.Rule(this, 'ForwardStateChanges', {
      description: `Lights Out: forward EC2 state changes to ${props.homeRegion}`,
      eventPattern: STATE_CHANGE_PATTERN,
      targets: [new targets.EventBus(homeBus, { role, deadLetterQueue: undelivered })],
    });
  }
}
