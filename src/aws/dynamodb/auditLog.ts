/**
 * The audit trail in the single DynamoDB table.
 *
 * Layout: one partition, `pk = AUDIT`, `sk = <at>#<unique>`, so `recent(n)` is
 * one Query read newest first. Entries come from people clicking buttons and
 * typing commands, far below a partition's write limit; a per-day partition
 * would make `recent` walk back day by day through quiet periods. Each entry
 * expires through the table's TTL (`expiresAt`) after 400 days by default.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../../ports/auditLog.js';
import { awsCall } from '../errors.js';
import { ttlSeconds } from './table.js';

const PK = 'AUDIT';
export const AUDIT_RETENTION_DAYS = 400;

export class DynamoAuditLog implements AuditLog {
  private readonly retentionSeconds: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    opts: { retentionDays?: number } = {},
  ) {
    this.retentionSeconds = (opts.retentionDays ?? AUDIT_RETENTION_DAYS) * 86_400;
  }

  async record(entry: AuditEntry): Promise<void> {
    const item = {
      pk: PK,
      sk: `${entry.at}#${randomUUID()}`,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      result: entry.result,
      ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
      expiresAt: ttlSeconds(entry.at) + this.retentionSeconds,
    };
    await awsCall(`PutItem audit ${entry.action}`, () =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: item })),
    );
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    if (limit <= 0) return [];
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('Query audit log', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': PK },
            ScanIndexForward: false,
            Limit: Math.floor(limit) - items.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items.map((i) => ({
      at: String(i.at),
      actor: String(i.actor),
      action: String(i.action),
      target: String(i.target),
      result: String(i.result),
      ...(i.detail !== undefined ? { detail: String(i.detail) } : {}),
    }));
  }
}
