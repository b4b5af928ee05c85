/**
 * Monitoring engine benchmarks (figures printed, nothing asserted):
 *  (a) one reconcile sweep of N running monitored instances on moto: the
 *      DescribeInstances calls and the wall time;
 *  (b) a simulated week for 10,000 monitored instances, 2% of them past their
 *      threshold: scheduler invocations plus EC2 calls of this design against
 *      ec2RuntimeMonitor's hourly check of every instance from launch. Target ≤ 5%.
 * Options: `--instances=N` for (a) (default 10000; moto needs a few minutes
 * for 10,000), `--skip-moto` to run (b) only.
 */
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Ec2Fleet } from '../src/aws/ec2Fleet.js';
import { DAY, HOUR } from '../src/core/duration.js';
import { InProcessNagScheduler } from '../src/local/inProcessNagScheduler.js';
import { createLogger } from '../src/log.js';
import { InProcessEventBus } from '../src/services/monitor/eventBus.js';
import { MonitorService } from '../src/services/monitor/monitorService.js';
import { openDatabase } from '../src/sqlite/database.js';
import { SqliteInstanceStore } from '../src/sqlite/instanceStore.js';
import { SqliteNagScheduleStore } from '../src/sqlite/nagScheduleStore.js';
import { RecordingNotifier } from '../test/support/fakes.js';
import { startMoto } from '../test/support/moto.js';
import type { Bench } from './run.js';
import { type Run, simulateWeek, WEEK } from './weekSimulation.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}`))?.split('=')[1];

async function reconcileSweepOnMoto(count: number): Promise<void> {
  const moto = await startMoto();
  try {
    const ec2 = new EC2Client(moto.clientConfig);
    const launchStarted = performance.now();
    const batches = Math.ceil(count / 100);
    for (let b = 0; b < batches; b += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, batches - b) }, (_, k) => {
          const n = Math.min(100, count - (b + k) * 100);
          return ec2.send(
            new RunInstancesCommand({
              ImageId: 'ami-12345678',
              MinCount: n,
              MaxCount: n,
              TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Monitor', Value: 'true' }] }],
            }),
          );
        }),
      );
    }
    console.log(
      `(a) launched ${count} instances on moto in ${((performance.now() - launchStarted) / 1000).toFixed(1)} s`,
    );

    const db = openDatabase(':memory:');
    const log = createLogger('bench', 'ERROR');
    const fleet = new Ec2Fleet((region) => new EC2Client({ ...moto.clientConfig, region }));
    // Splits the wall time: how much is EC2 (moto) and how much is the engine's own work.
    let ec2Ms = 0;
    const find = fleet.find.bind(fleet);
    fleet.find = async (region, query) => {
      const t = performance.now();
      try {
        return await find(region, query);
      } finally {
        ec2Ms += performance.now() - t;
      }
    };
    const service = new MonitorService({
      fleet,
      store: new SqliteInstanceStore(db),
      scheduler: new InProcessNagScheduler(new SqliteNagScheduleStore(db), { log }),
      notifier: new RecordingNotifier(),
      events: new InProcessEventBus(log),
      clock: () => new Date(),
      settings: {
        mode: 'opt-in',
        defaultGroup: 'all',
        defaultThresholdSeconds: 12 * HOUR,
        defaultRenotifySeconds: HOUR,
        regions: ['us-east-1'],
        tombstoneTtlSeconds: DAY,
      },
      log,
    });
    for (const label of [
      'first sweep (creates records and schedules)',
      'steady-state sweep (nothing to repair)',
    ]) {
      ec2Ms = 0;
      const started = performance.now();
      const report = await service.reconcile();
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `(a) ${label}: ${report.seen} instances, ${report.describeCalls} DescribeInstances call(s), ` +
          `${report.created.length} tracked, ${report.rescheduled.length} rescheduled, ${seconds.toFixed(1)} s wall ` +
          `(${(ec2Ms / 1000).toFixed(1)} s waiting on EC2)`,
      );
    }
    console.log(
      `(a) on AWS a listing page holds 1,000 instances: ${Math.ceil(count / 1000)} call(s) for ${count}; ` +
        'moto pages by reservation, so it may answer in fewer, and its filtering dominates the wall time',
    );
    db.close();
  } finally {
    await moto.stop();
  }
}

/** Deterministic pseudo-random numbers, so every run of the benchmark simulates the same week. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** A standing fleet: all up all week; 98% within their thresholds, 2% cross theirs mid-week and are never stopped. */
function standingFleet(n: number): Run[] {
  const rnd = random(1);
  return Array.from({ length: n }, (_, k) => {
    const over = k % 50 === 0;
    const start = -Math.floor(rnd() * DAY);
    const threshold = over ? Math.ceil((-start + DAY + rnd() * 5 * DAY) / HOUR) : 30 * 24;
    return { instanceId: id(k), start, end: WEEK, tags: { Monitor: 'true', Threshold: String(threshold) } };
  });
}

/** Workdays: each instance runs 8–10 h a weekday; 2% of runs are forgotten overnight (~24 h, past 12 h). */
function workdayChurn(n: number): Run[] {
  const rnd = random(2);
  const runs: Run[] = [];
  for (let day = 0; day < 5; day++) {
    for (let k = 0; k < n; k++) {
      const start = day * DAY + 8 * HOUR + Math.floor(rnd() * HOUR);
      const forgotten = (k + day) % 50 === 0;
      const length = forgotten ? 24 * HOUR : 8 * HOUR + Math.floor(rnd() * 2 * HOUR);
      runs.push({ instanceId: id(k), start, end: start + length, tags: { Monitor: 'true' } });
    }
  }
  return runs;
}

async function simulatedWeek(): Promise<void> {
  // 5 s is the SQS batching window the stack deploys (infra/lib/monitoring.ts).
  const scenarios = [
    ['standing fleet', standingFleet(10_000), [0]],
    ['workday churn', workdayChurn(10_000), [0, 5]],
  ] as const;
  console.log(
    '(b) 10,000 monitored instances, one week, threshold 12h unless tagged, renotify 1h, sweep every 15 min',
  );
  for (const [label, runs, windows] of scenarios) {
    for (const batchWindowSeconds of windows) {
      const c = await simulateWeek(runs, { batchWindowSeconds });
      const ratio = (100 * c.ours) / c.hourly;
      const delivery = batchWindowSeconds
        ? `SQS batches, ${batchWindowSeconds}s window`
        : 'one event per invocation';
      console.log(
        `(b) ${label} (${delivery}): ${c.runs} runs, ${c.nagsSent} nags | this design: ${c.nagInvocations} nag + ` +
          `${c.sweepInvocations} sweep invocations + ${c.ec2Calls} EC2 calls = ${c.ours} | ` +
          `hourly design: ${c.hourly} | ratio ${ratio.toFixed(2)}% (target ≤ 5%: ${ratio <= 5 ? 'met' : 'NOT met'})`,
      );
    }
  }
}

export const monitorBench: Bench = {
  name: 'monitor',
  async run() {
    if (!process.argv.includes('--skip-moto')) await reconcileSweepOnMoto(Number(arg('instances') ?? 10_000));
    await simulatedWeek();
  },
};
