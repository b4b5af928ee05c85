/**
 * Subscriptions in the single DynamoDB table.
 *
 * Layout: one partition, `pk = SUBSCRIPTION`, `sk = <group>#<platform>#<channelId>`.
 * Groups match `^[a-z0-9]+$`, so `<group>#` is an exact prefix: `forGroup` is a
 * `begins_with` Query and `all` one Query of the partition. Subscriptions number
 * in the hundreds at most, so `forChannel` reads the partition and filters
 * rather than paying for a second, mirrored item per subscription.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.js';
import type {
  BrokenChannel,
  ChannelRef,
  Subscription,
  SubscriptionStore,
} from '../../ports/subscriptionStore.js';
import { awsCall } from '../errors.js';

const PK = 'SUBSCRIPTION';
const sortKey = (group: string, c: Pick<ChannelRef, 'platform' | 'channelId'>) =>
  `${group}#${c.platform}#${c.channelId}`;

interface Item {
  group: string;
  channel: ChannelRef;
  createdBy: string;
  createdAt: string;
  broken?: BrokenChannel;
}

export class DynamoSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async subscribe(sub: Subscription): Promise<void> {
    await awsCall(`UpdateItem subscription ${sub.group}`, () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK, sk: sortKey(sub.group, sub.channel) },
          // A repeat keeps who subscribed first but refreshes the channel
          // details (Teams service URLs and conversation references change);
          // subscribing again after fixing a channel clears its broken flag.
          UpdateExpression:
            'SET #group = :group, channel = :channel, createdBy = if_not_exists(createdBy, :by), createdAt = if_not_exists(createdAt, :at) REMOVE broken',
          ExpressionAttributeNames: { '#group': 'group' },
          ExpressionAttributeValues: {
            ':group': sub.group,
            ':channel': JSON.parse(JSON.stringify(sub.channel)),
            ':by': sub.createdBy,
            ':at': sub.createdAt,
          },
        }),
      ),
    );
  }

  async markBroken(
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    broken: BrokenChannel | undefined,
  ): Promise<void> {
    for (const sub of await this.forChannel(channel)) {
      await awsCall(`UpdateItem subscription ${sub.group}`, () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: PK, sk: sortKey(sub.group, channel) },
            // Only existing subscriptions: one removed meanwhile is not brought back.
            ConditionExpression: 'attribute_exists(pk)',
            UpdateExpression: broken ? 'SET broken = :broken' : 'REMOVE broken',
            ExpressionAttributeValues: broken ? { ':broken': { ...broken } } : undefined,
          }),
        ),
      ).catch((err: unknown) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    }
  }

  async unsubscribe(group: string, channel: Pick<ChannelRef, 'platform' | 'channelId'>): Promise<boolean> {
    const res = await awsCall(`DeleteItem subscription ${group}`, () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: PK, sk: sortKey(group, channel) },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return res.Attributes !== undefined;
  }

  async forGroup(group: string): Promise<Subscription[]> {
    return this.query('begins_with(sk, :prefix)', { ':prefix': `${group}#` });
  }

  async forChannel(channel: Pick<ChannelRef, 'platform' | 'channelId'>): Promise<Subscription[]> {
    const subs = await this.query();
    return subs.filter(
      (s) => s.channel.platform === channel.platform && s.channel.channelId === channel.channelId,
    );
  }

  async all(): Promise<Subscription[]> {
    return this.query();
  }

  private async query(
    skCondition?: string,
    values: Record<string, NativeAttributeValue> = {},
  ): Promise<Subscription[]> {
    const out: Subscription[] = [];
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await awsCall('Query subscriptions', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: skCondition ? `pk = :pk AND ${skCondition}` : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': PK, ...values },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of (page.Items ?? []) as Item[]) {
        out.push({
          group: item.group,
          channel: item.channel,
          createdBy: item.createdBy,
          createdAt: item.createdAt,
          ...(item.broken ? { broken: item.broken } : {}),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}
