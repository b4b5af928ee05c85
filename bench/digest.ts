/**
 * The digest over a large history: 10,000 instances with 90 days of runs
 * (one run a working day each), built from SQLite (weekly and 90-day
 * digests, wall time; target ≤ 2 s), and from DynamoDB on moto, where every
 * call is counted at a fault proxy in front of moto: Queries only, one per
 * day partition (plus pages), and no Scan. The DynamoDB history holds a
 * sample of the runs (moto takes its time to load 600,000 items); the calls
 * per digest depend on the days read, not on how many runs a day holds.
 *
 *   npm run bench -- digest          # --instances=N to change the size
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRunHistory, historyPartition } from '../src/aws/dynamodb/runHistory.js';
import { buildDigest } from '../src/core/digest.js';
import type { RunHistoryEntry } from '../src/core/runHistory.js';
import type { RunHistory } from '../src/ports/runHistory.js';
import { openDatabase } from '../src/sqlite/database.js';
import { SqliteRunHistory } from '../src/sqlite/runHistory.js';
import { createTable } from '../test/support/dynamoTable.js';
import { startFaultProxy } from '../test/support/faultProxy.js';
import { startMoto } from '../test/support/moto.js';
import type { Bench } from './run.js';

const H = 3_600_000;
const DAY = 24 * H;
export const UNTIL = new Date('2026-11-23T00:00:00.000Z');
const GROUPS = ['web', 'db', 'render', 'ci', 'data'];

/** Deterministic runs: each instance starts on working days around 08:00 and runs 6 to 16 h. */
export function* syntheticRuns(instances: number, days: number): Generator<RunHistoryEntry> {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let d = days; d >= 1; d--) {
    const day = UNTIL.getTime() - d * DAY;
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let i = 0; i < instances; i++) {
      const launch = day + 7 * H + Math.floor(random() * 2 * H);
      const runtime = (6 + Math.floor(random() * 10)) * 3600;
      const threshold = 8 * 3600;
      const stop = launch + runtime * 1000;
      const byChat = random() < 0.1;
      yield {
        region: 'us-east-1',
        instanceId: `i-${i.toString(16).padStart(17, '0')}`,
        launchTime: new Date(launch).toISOString(),
        stoppedAt: new Date(stop).toISOString(),
        endedBy: byChat ? 'actor' : 'outside',
        ...(byChat ? { actor: { platform: 'slack' as const, id: 'U0BENCH' } } : {}),
        group: GROUPS[i % GROUPS.length]!,
        owner: `owner${i % 200}@example.com`,
        thresholdSeconds: threshold,
        runtimeSeconds: runtime,
        secondsBeyondThreshold: Math.max(0, runtime - threshold),
        hourlyUsd: i % 17 === 0 ? null : 0.1 + (i % 40) / 10,
      };
    }
  }
}

export interface SqliteDigestFigures {
  runs: number;
  loadSeconds: number;
  week: { runsRead: number; seconds: number; overThreshold: number };
  quarter: { runsRead: number; seconds: number; overThreshold: number };
}

async function timedDigest(history: RunHistory, days: number, groups?: string[]) {
  const started = performance.now();
  const since = new Date(UNTIL.getTime() - days * DAY);
  const runs = await history.between({
    since,
    until: new Date(UNTIL.getTime() + DAY),
    ...(groups ? { groups } : {}),
  });
  const digest = buildDigest({ since, until: UNTIL, timeZone: 'Europe/Berlin', runs, open: [] });
  return {
    runsRead: runs.length,
    seconds: (performance.now() - started) / 1000,
    overThreshold: digest.overThreshold.length,
  };
}

/** Loads the runs into a SQLite file's history and builds the weekly and the 90-day digest. */
export async function sqliteDigest(instances: number, days = 90): Promise<SqliteDigestFigures> {
  const db = openDatabase(':memory:');
  const history = new SqliteRunHistory(db, { retentionDays: days + 7 });
  const loadStarted = performance.now();
  let runs = 0;
  // One transaction for the load; record() nests its own as a savepoint.
  db.transaction(() => {
    for (const run of syntheticRuns(instances, days)) {
      void history.record(run);
      runs += 1;
    }
  })();
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const week = await timedDigest(history, 7);
  const quarter = await timedDigest(history, days);
  db.close();
  return { runs, loadSeconds, week, quarter };
}

export interface DynamoDigestFigures {
  items: number;
  weekQueries: number;
  quarterQueries: number;
  scans: number;
  runsRead: number;
}

/** Loads a sample of the runs into DynamoDB on moto and counts the calls of a weekly and a 90-day digest. */
export async function dynamoDigest(instances: number, days = 90): Promise<DynamoDigestFigures> {
  const moto = await startMoto();
  const proxy = await startFaultProxy({ target: moto.endpoint });
  try {
    await createTable(moto);
    const direct = DynamoDBDocumentClient.from(new DynamoDBClient(moto.clientConfig));
    const items: Record<string, unknown>[] = [];
    for (const run of syntheticRuns(instances, days)) {
      items.push({
        ...JSON.parse(JSON.stringify(run)),
        pk: historyPartition(run.stoppedAt),
        sk: `${run.stoppedAt}#${run.region}#${run.instanceId}#${run.launchTime}`,
      });
    }
    for (let i = 0; i < items.length; i += 25) {
      await direct.send(
        new BatchWriteCommand({
          RequestItems: { lightsout: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    }
    const history = new DynamoRunHistory(
      DynamoDBDocumentClient.from(new DynamoDBClient(proxy.clientConfig)),
      'lightsout',
    );
    proxy.resetCounters();
    const week = await timedDigest(history, 7);
    const weekQueries = proxy.count('Query').forwarded;
    proxy.resetCounters();
    const quarter = await timedDigest(history, days);
    return {
      items: items.length,
      weekQueries,
      quarterQueries: proxy.count('Query').forwarded,
      scans: proxy.count('Scan').received,
      runsRead: week.runsRead + quarter.runsRead,
    };
  } finally {
    await proxy.close();
    await moto.stop();
  }
}

function instancesFlag(fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith('--instances='));
  return arg ? Number(arg.slice('--instances='.length)) : fallback;
}

export const digestBench: Bench = {
  name: 'digest',
  async run() {
    const instances = instancesFlag(10_000);
    const s = await sqliteDigest(instances);
    console.log(
      `SQLite: ${instances} instances, 90 days, ${s.runs} runs (loaded in ${s.loadSeconds.toFixed(1)} s)`,
    );
    console.log(
      `  weekly digest:  ${s.week.runsRead} runs read, ${s.week.overThreshold} instances beyond threshold, ${s.week.seconds.toFixed(2)} s (target ≤ 2 s)`,
    );
    console.log(
      `  90-day digest:  ${s.quarter.runsRead} runs read, ${s.quarter.overThreshold} instances beyond threshold, ${s.quarter.seconds.toFixed(2)} s (target ≤ 2 s)`,
    );
    const sample = Math.min(instances, 1_000);
    const d = await dynamoDigest(sample);
    console.log(`DynamoDB on moto: ${sample} instances, 90 days, ${d.items} runs`);
    console.log(
      `  weekly digest:  ${d.weekQueries} Query calls (8 day partitions, 7 days plus the day after for next starts)`,
    );
    console.log(`  90-day digest:  ${d.quarterQueries} Query calls (91 day partitions, plus pages)`);
    console.log(`  Scan calls:     ${d.scans} (target 0: the digest never scans the table)`);
  },
};
