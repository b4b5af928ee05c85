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
import { type NagRouting, routingOf } from '../../core/nagRouting.js';
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

interface Item extends NagRouting {
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
    const routing = routingUpdate(sub);
    await awsCall(`UpdateItem subscription ${sub.group}`, () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK, sk: sortKey(sub.group, sub.channel) },
          // A repeat keeps who subscribed first but refreshes the channel
          // details (Teams service URLs and conversation references change);
          // subscribing again after fixing a channel clears its broken flag.
          // Routing fields given replace the stored ones; absent ones keep theirs.
          UpdateExpression: `SET #group = :group, channel = :channel, createdBy = if_not_exists(createdBy, :by), createdAt = if_not_exists(createdAt, :at)${routing.set.map((x) => `, ${x}`).join('')} REMOVE ${['broken', ...routing.remove].join(', ')}`,
          ExpressionAttributeNames: { '#group': 'group' },
          ExpressionAttributeValues: {
            ':group': sub.group,
            ':channel': JSON.parse(JSON.stringify(sub.channel)),
            ':by': sub.createdBy,
            ':at': sub.createdAt,
            ...routing.values,
          },
        }),
      ),
    );
  }

  async configure(
    group: string,
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    routing: NagRouting,
  ): Promise<boolean> {
    const update = routingUpdate(routing);
    if (!update.set.length && !update.remove.length) {
      return (await this.forGroup(group)).some(
        (s) => s.channel.platform === channel.platform && s.channel.channelId === channel.channelId,
      );
    }
    try {
      await awsCall(`UpdateItem subscription ${group}`, () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: PK, sk: sortKey(group, channel) },
            // Only an existing subscription: configuring never subscribes.
            ConditionExpression: 'attribute_exists(pk)',
            UpdateExpression: [
              update.set.length ? `SET ${update.set.join(', ')}` : '',
              update.remove.length ? `REMOVE ${update.remove.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join(' '),
            ExpressionAttributeValues: Object.keys(update.values).length ? update.values : undefined,
          }),
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
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
          ...routingOf(item),
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}

/** The SET and REMOVE clauses for the routing fields given (see SubscriptionStore.subscribe). */
function routingUpdate(routing: NagRouting): {
  set: string[];
  remove: string[];
  values: Record<string, NativeAttributeValue>;
} {
  const given = routingOf(routing);
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, NativeAttributeValue> = {};
  for (const field of ['route', 'escalateAfter', 'broadcastEvery'] as const) {
    if (given[field] === undefined) continue;
    set.push(`${field} = :${field}`);
    values[`:${field}`] = given[field];
  }
  if (given.escalateTo?.length) {
    set.push('escalateTo = :escalateTo');
    values[':escalateTo'] = given.escalateTo;
  } else if (given.escalateTo) {
    remove.push('escalateTo');
  }
  if (given.autostop?.kind === 'idle') {
    set.push('autostop = :autostop');
    values[':autostop'] = given.autostop;
  } else if (given.autostop) {
    remove.push('autostop');
  }
  return { set, remove, values };
}
