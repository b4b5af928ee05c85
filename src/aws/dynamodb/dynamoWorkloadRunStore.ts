/**
 * Workload runs in the Lights Out table. Runs live under pk `WLRUN` with the
 * run id (time-sortable) as sk, so "recent runs" is one reverse query; the
 * body is JSON so plans of any shape round-trip unchanged, gzipped because a
 * run lists every instance with its progress and an item may not exceed
 * 400 KB. Each workload's active-run lock is an item under pk `WLLOCK`, taken
 * with a conditional write in the same transaction as the new run. Finished
 * runs expire after `retentionDays` through the table's TTL.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.js';
import { isFinished, WorkloadBusyError, type WorkloadRun } from '../../core/workloads/run.js';
import type { WorkloadRunStore } from '../../ports/workloadRunStore.js';
import { awsCall, awsErrorCode, translateAwsError } from '../errors.js';
import { ttlSeconds } from './table.js';

const RUN_PK = 'WLRUN';
const LOCK_PK = 'WLLOCK';

interface RunItem {
  pk: string;
  sk: string;
  workload: string;
  status: string;
  version: number;
  /** gzipped JSON of the run. */
  body: Uint8Array;
  expiresAt?: number;
}

const encode = (run: WorkloadRun): Uint8Array => gzipSync(JSON.stringify(run));
const decode = (item: Record<string, unknown>): WorkloadRun =>
  JSON.parse(gunzipSync(item.body as Uint8Array).toString('utf8')) as WorkloadRun;

export class DynamoWorkloadRunStore implements WorkloadRunStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = 90,
  ) {}

  async create(run: WorkloadRun): Promise<WorkloadRun> {
    const stored = { ...run, version: 1 };
    try {
      await this.takeLockAndPut(stored, undefined);
      return stored;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const lock = await this.lock(run.workload);
    const holder = lock ? await this.get(lock.runId) : undefined;
    if (holder && !isFinished(holder)) throw new WorkloadBusyError(holder);
    try {
      // The lock belongs to a finished (or vanished) run: take it over, but
      // only if nobody else did in the meantime.
      await this.takeLockAndPut(stored, lock?.runId);
      return stored;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const winner = await this.lock(run.workload);
      const active = winner ? await this.get(winner.runId) : undefined;
      if (active && active.runId !== run.runId) throw new WorkloadBusyError(active, { cause: err });
      throw new ConflictError(`workload run ${run.runId} already exists`, { cause: err });
    }
  }

  async get(runId: string): Promise<WorkloadRun | undefined> {
    const res = await awsCall(`GetItem workload run ${runId}`, () =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: RUN_PK, sk: runId }, ConsistentRead: true }),
      ),
    );
    return res.Item ? decode(res.Item) : undefined;
  }

  async save(run: WorkloadRun): Promise<WorkloadRun> {
    const stored = { ...run, version: run.version + 1 };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(stored),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': run.version },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) {
        throw new ConflictError(`workload run ${run.runId} changed since version ${run.version}; reload it`, {
          cause: err,
        });
      }
      throw translateAwsError(err, `PutItem workload run ${run.runId}`);
    }
    if (isFinished(run)) await this.releaseLock(run);
    return stored;
  }

  async recent(limit: number, workload?: string): Promise<WorkloadRun[]> {
    const out: WorkloadRun[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const res = await awsCall('Query recent workload runs', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: workload ? 'workload = :w' : undefined,
            ExpressionAttributeValues: workload ? { ':pk': RUN_PK, ':w': workload } : { ':pk': RUN_PK },
            ScanIndexForward: false,
            Limit: workload ? Math.max(limit, 50) : limit,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of res.Items ?? []) out.push(decode(item));
      startKey = res.LastEvaluatedKey;
    } while (startKey && out.length < limit);
    return out.slice(0, limit);
  }

  async active(): Promise<WorkloadRun[]> {
    const res = await awsCall('Query workload locks', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': LOCK_PK },
        }),
      ),
    );
    const runs = await Promise.all((res.Items ?? []).map((i) => this.get(String(i.runId))));
    return runs.filter((r): r is WorkloadRun => r !== undefined && !isFinished(r));
  }

  private item(run: WorkloadRun): RunItem {
    const item: RunItem = {
      pk: RUN_PK,
      sk: run.runId,
      workload: run.workload,
      status: run.status,
      version: run.version,
      body: encode(run),
    };
    if (run.finishedAt) item.expiresAt = ttlSeconds(run.finishedAt) + this.retentionDays * 86_400;
    return item;
  }

  private async takeLockAndPut(run: WorkloadRun, staleRunId: string | undefined): Promise<void> {
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { pk: LOCK_PK, sk: run.workload, runId: run.runId, requestedBy: run.requestedBy },
              ConditionExpression: staleRunId
                ? 'attribute_not_exists(pk) OR runId = :stale'
                : 'attribute_not_exists(pk)',
              ExpressionAttributeValues: staleRunId ? { ':stale': staleRunId } : undefined,
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: this.item(run),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  private async lock(workload: string): Promise<{ runId: string } | undefined> {
    const res = await awsCall(`GetItem workload lock ${workload}`, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: LOCK_PK, sk: workload },
          ConsistentRead: true,
        }),
      ),
    );
    return res.Item ? { runId: String(res.Item.runId) } : undefined;
  }

  // A separate write from the run's: if we crash between the two, the lock
  // points at a finished run and the next create takes it over.
  private async releaseLock(run: WorkloadRun): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: LOCK_PK, sk: run.workload },
          ConditionExpression: 'runId = :id',
          ExpressionAttributeValues: { ':id': run.runId },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw translateAwsError(err, `DeleteItem workload lock ${run.workload}`);
    }
  }
}

function isConditionFailure(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code === 'ConditionalCheckFailedException' || code === 'TransactionCanceledException';
}
