/**
 * Reads the state table's DynamoDB stream on moto with the Streams API, as
 * Lambda's event source mapping would, and hands back what arrived since the
 * last read as the event Lambda passes to a stream function.
 */

import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { MotoServer } from './moto.js';

export interface TableStream {
  /** Records written since the previous call (the first call: since the table was created). */
  next(): Promise<DynamoDBStreamEvent>;
}

export async function openTableStream(moto: MotoServer, tableName: string): Promise<TableStream> {
  const config = { ...moto.clientConfig, region: 'us-east-1' };
  const table = await new DynamoDBClient(config).send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream; create it with { stream: true }`);
  const streams = new DynamoDBStreamsClient(config);
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const iterators = new Map<string, string | undefined>();
  for (const shard of described.StreamDescription?.Shards ?? []) {
    const it = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId!,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    iterators.set(shard.ShardId!, it.ShardIterator);
  }
  return {
    async next() {
      const Records: DynamoDBStreamEvent['Records'] = [];
      for (const [shard, iterator] of iterators) {
        if (!iterator) continue;
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        iterators.set(shard, page.NextShardIterator);
        for (const r of page.Records ?? []) {
          Records.push({
            eventID: r.eventID,
            eventName: r.eventName,
            eventSource: 'aws:dynamodb',
            awsRegion: r.awsRegion,
            eventSourceARN: streamArn,
            dynamodb: {
              Keys: r.dynamodb?.Keys,
              NewImage: r.dynamodb?.NewImage,
              SequenceNumber: r.dynamodb?.SequenceNumber,
              StreamViewType: r.dynamodb?.StreamViewType,
            },
          } as DynamoDBStreamEvent['Records'][number]);
        }
      }
      return { Records };
    },
  };
}
