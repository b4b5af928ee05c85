/**
 * The idle check at fleet size (figures printed, nothing asserted): one
 * batched CloudWatch read of N instances (default 10,000) on moto, counting
 * GetMetricData calls on the wire (through the fault proxy, which counts per
 * action) against the bound ⌈metrics / 500⌉, with the wall time, then every
 * instance judged idle or not by the core.
 *
 * moto evaluates every query against every data point in its window, so only
 * 20 instances get data (what keeps moto at 10,000 instances under a minute;
 * more data made it quadratic); the calls made do not depend on how much
 * data there is, and the rest are judged "no data: not idle".
 * Options: `--instances=N`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMetrics, MAX_QUERIES_PER_CALL } from '../src/aws/cloudWatchMetrics.js';
import { MINUTE } from '../src/core/duration.js';
import { DEFAULT_IDLE_THRESHOLDS, judgeIdle } from '../src/core/idle.js';
import { CloudWatchData } from '../test/support/cloudWatchData.js';
import { startFaultProxy } from '../test/support/faultProxy.js';
import { startMoto } from '../test/support/moto.js';
import type { Bench } from './run.js';

export interface IdleBenchFigures {
  instances: number;
  metrics: number;
  getMetricDataCalls: number;
  listMetricsCalls: number;
  /** ⌈metrics / 500⌉: the most GetMetricData calls the read may make. */
  bound: number;
  idle: number;
  notIdle: number;
  readMs: number;
}

/** One idle check of `count` instances on a fresh moto; `withData` of them (with a GPU every tenth) publish metrics. */
export async function idleCheckOnMoto(
  count: number,
  withData = Math.min(20, count),
): Promise<IdleBenchFigures> {
  const moto = await startMoto();
  const proxy = await startFaultProxy({ target: moto.endpoint });
  try {
    const now = new Date('2026-11-21T18:00:00Z');
    const ids = Array.from({ length: count }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const data = new CloudWatchData(moto.clientConfig);
    for (let i = 0; i < withData; i++) {
      const id = ids[Math.floor((i * count) / withData)]!;
      await data.publish(id, now, { fromMinutesAgo: 35 }, () => ({
        cpu: i % 2 ? 40 : 0.5,
        network: 1_000,
        ...(i % 10 === 0 ? { gpus: [0] } : {}),
      }));
    }
    const metrics = new CloudWatchMetrics(
      (region) => new CloudWatchClient({ ...proxy.clientConfig, region, maxAttempts: 1 }),
    );
    proxy.resetCounters();

    const started = performance.now();
    const read = await metrics.read(
      'us-east-1',
      ids.map((instanceId) => ({ instanceId })),
      { windowSeconds: 30 * MINUTE, now },
    );
    const readMs = performance.now() - started;

    const verdicts = ids.map((id) => judgeIdle(read.get(id)!, 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now));
    return {
      instances: count,
      metrics: metrics.stats.queries,
      getMetricDataCalls: proxy.count('GetMetricData').forwarded,
      listMetricsCalls: proxy.count('ListMetrics').forwarded,
      bound: Math.ceil(metrics.stats.queries / MAX_QUERIES_PER_CALL),
      idle: verdicts.filter((v) => v.idle).length,
      notIdle: verdicts.filter((v) => !v.idle).length,
      readMs,
    };
  } finally {
    await proxy.close();
    await moto.stop();
  }
}

export const idleBench: Bench = {
  name: 'idle',
  async run() {
    const arg = process.argv.find((a) => a.startsWith('--instances='))?.split('=')[1];
    const f = await idleCheckOnMoto(arg ? Number(arg) : 10_000);
    console.log(
      `idle check of ${f.instances} instances on moto: ${f.metrics} metrics, ` +
        `${f.getMetricDataCalls} GetMetricData calls (bound ⌈${f.metrics}/500⌉ = ${f.bound}), ` +
        `${f.listMetricsCalls} ListMetrics call(s), read in ${(f.readMs / 1000).toFixed(1)} s; ` +
        `${f.idle} idle, ${f.notIdle} not idle (most have no data: not idle, with the reason)`,
    );
  },
};
