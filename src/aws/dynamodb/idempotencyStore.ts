/**
 * Idempotency keys in the single DynamoDB table: `pk = IDEMPOTENCY#<key>`,
 * `sk = IDEMPOTENCY`, TTL `expiresAt` (epoch seconds). A claim is one
 * conditional PutItem, so two concurrent SNS deliveries of the same message
 * cannot both win. DynamoDB deletes expired items lazily, hence the explicit
 * `expiresAt < now` in the condition and on reads.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.js';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../../ports/idempotencyStore.js';
import { awsCall } from '../errors.js';
import { ttlSeconds } from './table.js';

const SK = 'IDEMPOTENCY';
const pk = (key: string) => `IDEMPOTENCY#${key}`;

interface Item {
  status: 'in-progress' | 'completed';
  result?: string;
  expiresAt: number;
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, leaseUntil: Date, now: Date): Promise<ClaimResult> {
    try {
      await awsCall(`PutItem idempotency ${key}`, () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: pk(key), sk: SK, status: 'in-progress', expiresAt: ttlSeconds(leaseUntil) },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': ttlSeconds(now) },
          }),
        ),
      );
      return { claimed: true };
    } catch (err) {
      if (!(err instanceof ConflictError) && !(err instanceof ConditionalCheckFailedException)) throw err;
      const held = await this.get(key, now);
      return { claimed: false, status: held?.status ?? 'in-progress', result: held?.result };
    }
  }

  async complete(key: string, expiresAt: Date, result?: string): Promise<void> {
    await awsCall(`PutItem idempotency ${key}`, () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: pk(key),
            sk: SK,
            status: 'completed',
            expiresAt: ttlSeconds(expiresAt),
            ...(result !== undefined ? { result } : {}),
          },
        }),
      ),
    );
  }

  async release(key: string): Promise<void> {
    try {
      await awsCall(`DeleteItem idempotency ${key}`, () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: pk(key), sk: SK },
            // Never undo a completion that raced ahead of this failure.
            ConditionExpression: '#status = :inProgress',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':inProgress': 'in-progress' },
          }),
        ),
      );
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }

  async get(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const res = await awsCall(`GetItem idempotency ${key}`, () =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: pk(key), sk: SK }, ConsistentRead: true }),
      ),
    );
    const item = res.Item as Item | undefined;
    if (!item || item.expiresAt < ttlSeconds(now)) return undefined;
    return {
      key,
      status: item.status,
      result: item.result,
      expiresAt: new Date(item.expiresAt * 1000).toISOString(),
    };
  }
}
