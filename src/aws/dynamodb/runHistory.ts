/**
 * The run history in the single DynamoDB table.
 *
 * Layout: one partition per UTC day of the stop, `pk = RUNHISTORY#<yyyy-mm-dd>`,
 * `sk = <stoppedAt>#<region>#<instanceId>#<launchTime>`. A time range is then
 * one Query per day it touches (a week: 7 or 8; 90 days: 91), each reading
 * only that day's runs: the digest never scans the table, however much else
 * the table holds. A day's partition takes that day's stops, far below a
 * partition's write limit even for tens of thousands of instances.
 * Each entry expires through the table's TTL (`expiresAt`) after the retention
 * (90 days by default, RUN_HISTORY_RETENTION).
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors.js';
import type { RunActor } from '../../core/instance.js';
import {
  DEFAULT_HISTORY_RETENTION_DAYS,
  type RunEndCause,
  type RunHistoryEntry,
  type RunStopConsent,
} from '../../core/runHistory.js';
import type { RunHistory, RunHistoryQuery } from '../../ports/runHistory.js';
import { awsCall } from '../errors.js';
import { ttlSeconds } from './table.js';

const PK_PREFIX = 'RUNHISTORY#';
const DAY_MS = 86_400_000;
/** Day partitions read at once: a 90-day range takes a dozen round trips, not 91. */
const PARALLEL_DAYS = 8;
/** DynamoDB's limit on the operands of IN; more groups are filtered here instead. */
const MAX_IN_OPERANDS = 100;

export const historyPartition = (stoppedAt: string | Date): string =>
  `${PK_PREFIX}${new Date(stoppedAt).toISOString().slice(0, 10)}`;

/** The day partitions a range [since, until) touches, oldest first. */
export function historyPartitions(since: Date, until: Date): string[] {
  const out: string[] = [];
  if (until.getTime() <= since.getTime()) return out;
  const last = until.getTime() - 1;
  for (let day = Math.floor(since.getTime() / DAY_MS); day * DAY_MS <= last; day++) {
    out.push(historyPartition(new Date(day * DAY_MS)));
  }
  return out;
}

export class DynamoRunHistory implements RunHistory {
  private readonly retentionSeconds: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    opts: { retentionDays?: number } = {},
  ) {
    this.retentionSeconds = (opts.retentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS) * 86_400;
  }

  async record(entry: RunHistoryEntry): Promise<void> {
    const stoppedAt = new Date(entry.stoppedAt).toISOString();
    const launchTime = new Date(entry.launchTime).toISOString();
    const item = {
      ...JSON.parse(JSON.stringify({ ...entry, stoppedAt, launchTime })),
      pk: historyPartition(stoppedAt),
      sk: `${stoppedAt}#${entry.region}#${entry.instanceId}#${launchTime}`,
      expiresAt: ttlSeconds(stoppedAt) + this.retentionSeconds,
    };
    await awsCall(`PutItem run history ${entry.instanceId}`, () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // The first entry of a run wins: a redelivered event changes nothing.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }

  async between(query: RunHistoryQuery): Promise<RunHistoryEntry[]> {
    const groups = query.groups ? [...new Set(query.groups)] : undefined;
    if (groups?.length === 0) return [];
    const days = historyPartitions(query.since, query.until);
    const results: RunHistoryEntry[][] = [];
    for (let i = 0; i < days.length; i += PARALLEL_DAYS) {
      const batch = days.slice(i, i + PARALLEL_DAYS);
      results.push(...(await Promise.all(batch.map((pk) => this.day(pk, query, groups)))));
    }
    const wanted = groups && groups.length > MAX_IN_OPERANDS ? new Set(groups) : undefined;
    const until = query.until.getTime();
    return results.flat().filter((e) => Date.parse(e.stoppedAt) < until && (!wanted || wanted.has(e.group)));
  }

  private async day(
    pk: string,
    query: RunHistoryQuery,
    groups: string[] | undefined,
  ): Promise<RunHistoryEntry[]> {
    const filter = groups && groups.length <= MAX_IN_OPERANDS ? groups : undefined;
    const out: RunHistoryEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('Query run history', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :until',
            ...(filter
              ? {
                  FilterExpression: `#group IN (${filter.map((_, i) => `:g${i}`).join(', ')})`,
                  ExpressionAttributeNames: { '#group': 'group' },
                }
              : {}),
            ExpressionAttributeValues: {
              ':pk': pk,
              ':since': query.since.toISOString(),
              ':until': query.until.toISOString(),
              ...Object.fromEntries((filter ?? []).map((g, i) => [`:g${i}`, g])),
            },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) out.push(toEntry(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}

function toEntry(i: Record<string, unknown>): RunHistoryEntry {
  return {
    region: String(i.region),
    instanceId: String(i.instanceId),
    launchTime: String(i.launchTime),
    stoppedAt: String(i.stoppedAt),
    endedBy: String(i.endedBy) as RunEndCause,
    ...(i.actor ? { actor: i.actor as RunActor } : {}),
    ...(i.consent ? { consent: i.consent as RunStopConsent } : {}),
    group: String(i.group),
    ...(i.name !== undefined ? { name: String(i.name) } : {}),
    ...(i.owner !== undefined ? { owner: String(i.owner) } : {}),
    thresholdSeconds: Number(i.thresholdSeconds),
    runtimeSeconds: Number(i.runtimeSeconds),
    secondsBeyondThreshold: Number(i.secondsBeyondThreshold),
    hourlyUsd: i.hourlyUsd === null || i.hourlyUsd === undefined ? null : Number(i.hourlyUsd),
  };
}
