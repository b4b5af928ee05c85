/**
 * Looked-up prices in the single DynamoDB table: `pk = PRICE#<key>`,
 * `sk = PRICE`, TTL `expiresAt` (epoch seconds). DynamoDB deletes expired
 * items lazily, so reads check the expiry themselves. The ISO expiry is kept
 * beside the TTL attribute because the TTL drops the milliseconds. A claim
 * (`claimUntil`) sits on the same item, so one conditional update sees both
 * the entry and any claim; the Put of the entry replaces the item and so ends it.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.js';
import type { CachedPrice, PriceCache } from '../../ports/priceCache.js';
import { awsCall } from '../errors.js';
import { ttlSeconds } from './table.js';

const SK = 'PRICE';
const pk = (key: string) => `PRICE#${key}`;

interface Item {
  hourlyUsd?: number;
  /** Absent on an item that holds only a claim. */
  fetchedAt?: string;
  validUntil?: string;
  claimUntil?: string;
}

export class DynamoPriceCache implements PriceCache {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(key: string, now: Date): Promise<CachedPrice | undefined> {
    const res = await awsCall(`GetItem price ${key}`, () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(key), sk: SK } })),
    );
    const item = res.Item as Item | undefined;
    if (!item?.validUntil || !item.fetchedAt || Date.parse(item.validUntil) <= now.getTime())
      return undefined;
    return {
      key,
      ...(typeof item.hourlyUsd === 'number' ? { hourlyUsd: item.hourlyUsd } : {}),
      fetchedAt: item.fetchedAt,
      expiresAt: item.validUntil,
    };
  }

  async put(entry: CachedPrice): Promise<void> {
    await awsCall(`PutItem price ${entry.key}`, () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: pk(entry.key),
            sk: SK,
            ...(entry.hourlyUsd !== undefined ? { hourlyUsd: entry.hourlyUsd } : {}),
            fetchedAt: entry.fetchedAt,
            validUntil: entry.expiresAt,
            // The TTL removes the item a day after it stops counting.
            expiresAt: ttlSeconds(entry.expiresAt) + 86_400,
          },
        }),
      ),
    );
  }

  async claim(key: string, now: Date, until: Date): Promise<boolean> {
    try {
      await awsCall(`UpdateItem price claim ${key}`, () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: pk(key), sk: SK },
            UpdateExpression: 'SET claimUntil = :until, expiresAt = if_not_exists(expiresAt, :ttl)',
            // ISO-8601 UTC strings of one format compare as times.
            ConditionExpression:
              '(attribute_not_exists(validUntil) OR validUntil <= :now) AND ' +
              '(attribute_not_exists(claimUntil) OR claimUntil <= :now)',
            ExpressionAttributeValues: {
              ':until': until.toISOString(),
              ':now': now.toISOString(),
              // A claim whose claimant died is removed by the TTL like a stale price.
              ':ttl': ttlSeconds(until.toISOString()) + 86_400,
            },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }
}
