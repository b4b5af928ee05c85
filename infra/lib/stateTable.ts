/**
 * The single DynamoDB table every function shares (see src/aws/dynamodb/table.ts
 * for the key layout). On-demand because traffic is a few events per instance
 * per day with bursts at 9 a.m.; point-in-time recovery and deletion protection
 * because it holds the audit trail of what the bot stopped; TTL so tombstones,
 * audit and idempotency records expire on their own; a stream of new images
 * so domain events written to the outbox are delivered as soon as they land.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../src/aws/dynamodb/table.js';

export class StateTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // Feeds new outbox entries to the outboxStream function (src/lambda/outboxStream.ts).
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Even after `cdk destroy`, the table stays until someone deletes it on
      // purpose (docs/deploy.md, "Tear down").
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
