/**
 * Cleanup outcomes in the Lights Out single table: `pk` = `CLEANUP#<region>/<instanceId>`,
 * `sk` = launch time (one item per run), forgotten by TTL after `retentionSeconds`.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CleanupOutcome, CleanupOutcomeStore } from '../../ports/cleanupOutcomeStore.js';
import { awsCall } from '../errors.js';
import { ttlSeconds } from './table.js';

const PREFIX = 'CLEANUP#';
const NINETY_DAYS = 90 * 86_400;

export class DynamoCleanupOutcomeStore implements CleanupOutcomeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds = NINETY_DAYS,
  ) {}

  async get(key: {
    region: string;
    instanceId: string;
    launchTime: string;
  }): Promise<CleanupOutcome | undefined> {
    const res = await awsCall(`GetItem cleanup outcome ${key.instanceId}`, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `${PREFIX}${key.region}/${key.instanceId}`, sk: key.launchTime },
          ConsistentRead: true,
        }),
      ),
    );
    return res.Item ? (JSON.parse(res.Item.body as string) as CleanupOutcome) : undefined;
  }

  async put(outcome: CleanupOutcome): Promise<void> {
    await awsCall(`PutItem cleanup outcome ${outcome.instanceId}`, () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `${PREFIX}${outcome.region}/${outcome.instanceId}`,
            sk: outcome.launchTime,
            at: outcome.at,
            ok: outcome.ok,
            // Stored as one JSON string: outcomes are read whole and never queried by field.
            body: JSON.stringify(outcome),
            expiresAt: ttlSeconds(outcome.at) + this.retentionSeconds,
          },
        }),
      ),
    );
  }
}
