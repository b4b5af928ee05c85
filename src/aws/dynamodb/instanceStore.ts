/**
 * Instance records in the single DynamoDB table.
 *
 * Layout: every record lives in one partition, `pk = INSTANCE`, with
 * `sk = <region>#<instanceId>`. `list()` is then one paginated Query (with a
 * `begins_with` on the region when filtered) instead of a Scan that would also
 * read subscriptions, audit entries and workload runs. One partition is ample:
 * records are ~1–2 KB, 10,000 instances are ~15 Query pages, and state-change
 * writes stay far below a partition's 1,000 writes/s. There are no LSIs, so
 * the 10 GB item-collection limit does not apply.
 *
 * The record body sits in a `record` map; `version`, `launchTime`, `state`,
 * `group` and the TTL attribute `expiresAt` (epoch seconds) sit beside it for
 * conditions and filters. Chat refs sit in their own attributes, tagged with
 * the run they belong to: `put` never writes them, so the engine's writes
 * cannot clobber a ref the chat layer added, and a new run reads as "no refs".
 * Each ref is its own attribute, `chatRef#<platform>#<channelId>`, so adding
 * one is a single atomic SET (see addChatRef).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, StaleRunError } from '../../core/errors.js';
import type { ChatMessageRef, InstanceKey, InstanceRecord } from '../../core/instance.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { InstanceFilter, InstanceStore, PutOptions } from '../../ports/instanceStore.js';
import { awsCall } from '../errors.js';
import { outboxPut } from './outbox.js';
import { ttlSeconds } from './table.js';

const PK = 'INSTANCE';
const sortKey = (k: InstanceKey) => `${k.region}#${k.instanceId}`;
const CHAT_REF_PREFIX = 'chatRef#';

interface Item {
  pk: string;
  sk: string;
  record: Omit<InstanceRecord, 'chatRefs' | 'version'>;
  version: number;
  launchTime: string;
  expiresAt?: number;
  /** One per platform and channel, see chatRefAttribute. */
  [ref: `${typeof CHAT_REF_PREFIX}${string}`]: StoredChatRef | undefined;
  /** Before per-ref attributes: all refs in one list, tagged with their run. */
  chatRefs?: ChatMessageRef[];
  chatRefsLaunchTime?: string;
}

type StoredChatRef = ChatMessageRef & { launchTime: string };

export class DynamoInstanceStore implements InstanceStore {
  private readonly clock: Clock;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  async get(key: InstanceKey): Promise<InstanceRecord | undefined> {
    const item = await this.getItem(key);
    return item && !this.expired(item) ? toRecord(item) : undefined;
  }

  async put(record: InstanceRecord, opts: PutOptions = {}): Promise<InstanceRecord> {
    const { chatRefs: _refs, version: _v, ...body } = record;
    const values: Record<string, NativeAttributeValue> = {
      ':record': plain(body),
      ':region': record.region,
      ':instanceId': record.instanceId,
      ':launchTime': record.launchTime,
      ':state': record.state,
      ':group': record.group,
    };
    const set = [
      '#record = :record',
      '#region = :region',
      'instanceId = :instanceId',
      'launchTime = :launchTime',
      '#state = :state',
      '#group = :group',
    ];
    const names: Record<string, string> = {
      '#record': 'record',
      '#region': 'region',
      '#state': 'state',
      '#group': 'group',
      '#version': 'version',
      '#expiresAt': 'expiresAt',
    };
    let condition: string | undefined;
    const now = ttlSeconds(this.clock());
    if (opts.expectedVersion === undefined) {
      set.push('#version = if_not_exists(#version, :zero) + :one');
      values[':zero'] = 0;
      values[':one'] = 1;
    } else if (opts.expectedVersion === 0) {
      // Absent, or only an expired tombstone that TTL has not swept yet.
      condition = 'attribute_not_exists(pk) OR #expiresAt <= :now';
      set.push('#version = :next');
      values[':next'] = 1;
      values[':now'] = now;
    } else {
      condition = '#version = :expected AND (attribute_not_exists(#expiresAt) OR #expiresAt > :now)';
      set.push('#version = :next');
      values[':expected'] = opts.expectedVersion;
      values[':next'] = opts.expectedVersion + 1;
      values[':now'] = now;
    }
    let expression = `SET ${set.join(', ')}`;
    if (record.expiresAt) {
      expression += ', #expiresAt = :expiresAt';
      values[':expiresAt'] = ttlSeconds(record.expiresAt);
    } else {
      expression += ' REMOVE #expiresAt';
    }

    const update = {
      TableName: this.tableName,
      Key: { pk: PK, sk: sortKey(record) },
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const conflict = (err: unknown) => {
      if (err instanceof ConflictError) {
        throw new ConflictError(
          `Instance ${record.region}/${record.instanceId} changed since version ${opts.expectedVersion}; re-read and retry`,
          { cause: err.cause },
        );
      }
      throw err;
    };
    if (opts.events?.length) {
      // The record and its events in one transaction; the table's stream delivers the events.
      const now = this.clock();
      const puts = opts.events.map((e) => outboxPut(this.tableName, e, now).put);
      await awsCall(`TransactWriteItems instance ${sortKey(record)} with ${puts.length} event(s)`, () =>
        this.doc.send(
          new TransactWriteCommand({ TransactItems: [{ Update: update }, ...puts.map((Put) => ({ Put }))] }),
        ),
      ).catch(conflict);
      // A transaction returns no attributes; the item is read back for the caller.
      const item = await this.getItem(record);
      return toRecord(item!);
    }
    const res = await awsCall(`UpdateItem instance ${sortKey(record)}`, () =>
      this.doc.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' })),
    ).catch(conflict);
    return toRecord(res.Attributes as Item);
  }

  async delete(key: InstanceKey): Promise<void> {
    await awsCall(`DeleteItem instance ${sortKey(key)}`, () =>
      this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: PK, sk: sortKey(key) } })),
    );
  }

  async list(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    const names: Record<string, string> = {};
    const values: Record<string, NativeAttributeValue> = { ':pk': PK };
    let keyCondition = 'pk = :pk';
    if (filter.region) {
      keyCondition += ' AND begins_with(sk, :regionPrefix)';
      values[':regionPrefix'] = `${filter.region}#`;
    }
    const filters: string[] = [];
    if (filter.group) {
      filters.push('#group = :group');
      names['#group'] = 'group';
      values[':group'] = filter.group;
    }
    if (filter.states?.length) {
      names['#state'] = 'state';
      const placeholders = filter.states.map((s, i) => {
        values[`:s${i}`] = s;
        return `:s${i}`;
      });
      filters.push(`#state IN (${placeholders.join(', ')})`);
    }
    const out: InstanceRecord[] = [];
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await awsCall('Query instances', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: keyCondition,
            FilterExpression: filters.length ? filters.join(' AND ') : undefined,
            ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
            ExpressionAttributeValues: values,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of (page.Items ?? []) as Item[]) if (!this.expired(item)) out.push(toRecord(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  /**
   * One atomic UpdateItem per ref, with no read: each ref is its own
   * attribute, `chatRef#<platform>#<channelId>`, holding the ref and its run,
   * so `SET #ref = :ref` adds or replaces one channel's ref without touching
   * the others. Concurrent adders for different channels cannot lose each
   * other's writes, as a read-modify-write of one list attribute could. The
   * condition pins the run; only when it fails is the item read, to say why.
   * (Not a map attribute: `SET map.#k` needs the map to exist, and starting
   * one per run would be a read-modify-write race of its own.)
   */
  async addChatRef(key: InstanceKey, launchTime: string, ref: ChatMessageRef): Promise<void> {
    const stored: StoredChatRef = { ...plain(ref), launchTime };
    try {
      await awsCall(`UpdateItem chat ref ${sortKey(key)}`, () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: PK, sk: sortKey(key) },
            UpdateExpression: 'SET #ref = :ref',
            ConditionExpression: 'launchTime = :lt AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
            ExpressionAttributeNames: { '#ref': chatRefAttribute(ref) },
            ExpressionAttributeValues: {
              ':ref': stored,
              ':lt': launchTime,
              ':now': ttlSeconds(this.clock()),
            },
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const item = await this.getItem(key);
      if (!item || this.expired(item)) {
        throw new NotFoundError(`No record of instance ${key.region}/${key.instanceId}; chat ref not kept`, {
          cause: err,
        });
      }
      throw new StaleRunError(
        `Instance ${key.instanceId} is on run ${item.launchTime}, not ${launchTime}; chat ref not kept`,
        { cause: err },
      );
    }
  }

  private async getItem(key: InstanceKey): Promise<Item | undefined> {
    const res = await awsCall(`GetItem instance ${sortKey(key)}`, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: PK, sk: sortKey(key) },
          ConsistentRead: true,
        }),
      ),
    );
    return res.Item as Item | undefined;
  }

  // TTL deletion lags by up to days, so expired tombstones are hidden on read.
  private expired(item: Pick<Item, 'expiresAt'>): boolean {
    return item.expiresAt !== undefined && item.expiresAt <= ttlSeconds(this.clock());
  }
}

function toRecord(item: Item): InstanceRecord {
  const chatRefs = chatRefList(item);
  return { ...item.record, chatRefs, version: item.version } as InstanceRecord;
}

/** The attribute holding a ref: one per platform and channel. */
export function chatRefAttribute(ref: Pick<ChatMessageRef, 'platform' | 'channelId'>): string {
  return `${CHAT_REF_PREFIX}${ref.platform}#${ref.channelId}`;
}

/**
 * This run's refs, in attribute-name order. Refs of older runs are left in
 * place (one attribute per channel ever used, so bounded) and read as none;
 * items written before the per-ref attributes hold a `chatRefs` list, still read.
 */
function chatRefList(item: Item): ChatMessageRef[] {
  const launchTime = item.record.launchTime;
  const byChannel = new Map<string, ChatMessageRef>();
  if (item.chatRefsLaunchTime === launchTime && Array.isArray(item.chatRefs)) {
    for (const r of item.chatRefs) byChannel.set(chatRefAttribute(r), r);
  }
  const names = Object.keys(item)
    .filter((k) => k.startsWith(CHAT_REF_PREFIX))
    .sort();
  for (const name of names) {
    const { launchTime: run, ...ref } = item[name as `${typeof CHAT_REF_PREFIX}${string}`]!;
    if (run === launchTime) byChannel.set(name, ref);
  }
  return [...byChannel.values()];
}

/** Drops `undefined` fields, which the DocumentClient refuses by default. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
