/**
 * Looked-up prices in the single DynamoDB table: `pk = PRICE#<key>`,
 * `sk = PRICE`, TTL `expiresAt` (epoch seconds). DynamoDB deletes expired
 * items lazily, so reads check the expiry themselves. The ISO expiry is kept
 * beside the TTL attribute because the TTL drops the milliseconds.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CachedPrice, PriceCache } from '../../ports/priceCache.js';
import { awsCall } from '../errors.js';
import { ttlSeconds } from './table.js';

const SK = 'PRICE';
const pk = (key: string) => `PRICE#${key}`;

interface Item {
  hourlyUsd?: number;
  fetchedAt: string;
  validUntil: string;
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
    if (!item || Date.parse(item.validUntil) <= now.getTime()) return undefined;
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
}
