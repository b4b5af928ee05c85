/**
 * The outbox in the single DynamoDB table: one item per entry under
 * `pk = OUTBOX`, `sk = <createdAt>#<uuid>`, so a Query reads them oldest
 * first. The instance store puts entries in the same TransactWriteItems as
 * the record (see `outboxPut`); the table's stream hands each new entry to
 * the outbox function at once (src/lambda/outboxStream.ts), and the reconcile
 * sweep redrives the ones whose delivery failed, after their backoff.
 * Delivered entries are deleted; failed ones stay until someone looks.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import { newOutboxEntry, type OutboxEntry, outboxSummary } from '../../core/outbox.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { Outbox, OutboxStats } from '../../ports/outbox.js';
import { awsCall } from '../errors.js';

export const OUTBOX_PK = 'OUTBOX';

export type OutboxItem = OutboxEntry & { pk: typeof OUTBOX_PK; sk: string };

/** The Put of one new entry, for a TransactWriteItems that also writes the record. */
export function outboxPut(tableName: string, event: DomainEvent, now: Date) {
  const entry = newOutboxEntry(plain(event), now, randomUUID());
  const item: OutboxItem = { pk: OUTBOX_PK, sk: entry.id, ...entry };
  return {
    entry,
    put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
  };
}

/** An entry as the table (or its stream, once unmarshalled) holds it. */
export function entryFromItem(item: Record<string, unknown>): OutboxEntry {
  const { pk: _pk, sk: _sk, ...entry } = item as unknown as OutboxItem;
  return entry;
}

export class DynamoOutbox implements Outbox {
  private readonly clock: Clock;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  async add(events: DomainEvent[]): Promise<OutboxEntry[]> {
    if (events.length === 0) return [];
    const now = this.clock();
    const puts = events.map((e) => outboxPut(this.tableName, e, now));
    await awsCall(`TransactWriteItems ${puts.length} outbox entries`, () =>
      this.doc.send(new TransactWriteCommand({ TransactItems: puts.map((p) => ({ Put: p.put })) })),
    );
    return puts.map((p) => p.entry);
  }

  async pending(limit = 100): Promise<OutboxEntry[]> {
    return this.query('pending', limit);
  }

  async delivered(id: string): Promise<void> {
    await awsCall(`DeleteItem outbox ${id}`, () =>
      this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: OUTBOX_PK, sk: id } })),
    );
  }

  async retryLater(id: string, u: { attempts: number; nextAttemptAt: string; error: string }): Promise<void> {
    await this.update(id, 'SET attempts = :a, nextAttemptAt = :n, lastError = :e', {
      ':a': u.attempts,
      ':n': u.nextAttemptAt,
      ':e': u.error,
    });
  }

  async giveUp(id: string, u: { attempts: number; error: string }): Promise<void> {
    await this.update(id, 'SET #status = :failed, attempts = :a, lastError = :e', {
      ':failed': 'failed',
      ':a': u.attempts,
      ':e': u.error,
    });
  }

  async failed(): Promise<OutboxEntry[]> {
    return this.query('failed');
  }

  async stats(): Promise<OutboxStats> {
    const [pending, failed] = await Promise.all([this.query('pending'), this.query('failed')]);
    const oldest = pending[0];
    return {
      depth: pending.length,
      failed: failed.length,
      ...(oldest ? { oldestPending: outboxSummary(oldest) } : {}),
    };
  }

  /** Only existing entries: an entry delivered meanwhile is not brought back as a stub. */
  private async update(id: string, expression: string, values: Record<string, NativeAttributeValue>) {
    await awsCall(`UpdateItem outbox ${id}`, () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: OUTBOX_PK, sk: id },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: expression.includes('#status') ? { '#status': 'status' } : undefined,
          ExpressionAttributeValues: values,
        }),
      ),
    ).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }

  private async query(status: OutboxEntry['status'], limit?: number): Promise<OutboxEntry[]> {
    const out: OutboxEntry[] = [];
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await awsCall(`Query ${status} outbox entries`, () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':status': status },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) out.push(entryFromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (limit === undefined || out.length < limit));
    return limit === undefined ? out : out.slice(0, limit);
  }
}

/** Drops `undefined` fields, which the DocumentClient refuses by default. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
