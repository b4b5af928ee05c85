/** Creates the Lights Out single table on moto, as the CDK stack does in AWS. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from '../../src/aws/dynamodb/table.js';
import type { MotoServer } from './moto.js';

export async function createTable(
  moto: MotoServer,
  tableName = 'lightsout',
  opts: { stream?: boolean } = {},
) {
  const client = new DynamoDBClient(moto.clientConfig);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      // As deployed: new images feed the outbox function (see test/support/tableStream.ts).
      ...(opts.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
    }),
  );
  return { client, doc: DynamoDBDocumentClient.from(client), tableName };
}
