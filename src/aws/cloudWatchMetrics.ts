/**
 * CloudWatch metrics for the idle judge, batched: one GetMetricData call
 * carries up to 500 metric queries (the AWS limit), so reading 10,000
 * instances × 3 metrics costs 60 calls, not 30,000. NextToken is followed
 * within a batch, since a call returns at most 100,800 data points.
 *
 * Per instance: `AWS/EC2` CPUUtilization (Average), NetworkIn and NetworkOut
 * (Sum), dimension InstanceId, at 1-minute periods with detailed monitoring
 * and 5-minute periods without. GPU comes from the CloudWatch agent
 * (`CWAgent` `nvidia_smi_utilization_gpu`), whose dimensions are InstanceId
 * plus whatever the agent's config adds (`index`, `name`, `arch`, often
 * `host`, InstanceType, ImageId…). A MetricStat query must name every
 * dimension exactly, so the GPU series are found first with ListMetrics
 * (namespace and metric name, 500 per page) and then read with their exact
 * dimension sets. A `SEARCH` expression would avoid the listing, but each
 * SEARCH is limited to 100 per GetMetricData call and moto does not evaluate
 * them, so the listing is both cheaper at scale and testable. The listing is
 * not limited to recently active metrics on purpose: an agent that stopped
 * reporting must read as "GPU reported, no data" (not idle), not as "no GPU".
 *
 * `@aws-sdk/client-cloudwatch` is imported only as types and loaded at the
 * first read, like EC2 (see clients.ts).
 */
import type {
  CloudWatchClient,
  Dimension,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  type InstanceMetricSeries,
  type MetricPoint,
  metricPeriodSeconds,
  metricsWindow,
} from '../core/idle.js';
import type { InstanceMetricsSource, MetricsTarget } from '../ports/instanceMetrics.js';
import { loadCloudWatchSdk } from './clients.js';
import { awsCall } from './errors.js';

/** GetMetricData's limit on metric queries per call. */
export const MAX_QUERIES_PER_CALL = 500;
export const GPU_NAMESPACE = 'CWAgent';
export const GPU_METRIC = 'nvidia_smi_utilization_gpu';

/** Call counters, read by the benchmark and by tests that check the batching. */
export interface MetricsStats {
  getMetricDataCalls: number;
  listMetricsCalls: number;
  queries: number;
}

type Slot = 'cpu' | 'networkIn' | 'networkOut' | 'gpu';
interface PlannedQuery {
  instanceId: string;
  slot: Slot;
  /** Which GPU series of the instance (position in `gpus`). */
  gpu?: number;
  query: Omit<MetricDataQuery, 'Id'>;
}

export class CloudWatchMetrics implements InstanceMetricsSource {
  readonly stats: MetricsStats = { getMetricDataCalls: 0, listMetricsCalls: 0, queries: 0 };

  constructor(private readonly clientFor: (region: string) => CloudWatchClient | Promise<CloudWatchClient>) {}

  async read(
    region: string,
    targets: MetricsTarget[],
    window: { windowSeconds: number; now: Date },
  ): Promise<Map<string, InstanceMetricSeries>> {
    const out = new Map<string, InstanceMetricSeries>();
    if (targets.length === 0) return out;
    const client = await this.clientFor(region);
    const gpuDimensions = await this.gpuDimensions(client, region, new Set(targets.map((t) => t.instanceId)));

    const planned: PlannedQuery[] = [];
    for (const t of targets) {
      const period = metricPeriodSeconds(t.detailedMonitoring);
      const gpus = gpuDimensions.get(t.instanceId);
      out.set(t.instanceId, {
        periodSeconds: period,
        cpu: [],
        networkIn: [],
        networkOut: [],
        ...(gpus ? { gpus: gpus.map(() => []) } : {}),
      });
      const ec2 = (slot: Slot, name: string, stat: string): PlannedQuery => ({
        instanceId: t.instanceId,
        slot,
        query: metricStat('AWS/EC2', name, [{ Name: 'InstanceId', Value: t.instanceId }], period, stat),
      });
      planned.push(
        ec2('cpu', 'CPUUtilization', 'Average'),
        ec2('networkIn', 'NetworkIn', 'Sum'),
        ec2('networkOut', 'NetworkOut', 'Sum'),
      );
      for (const [i, dims] of (gpus ?? []).entries()) {
        planned.push({
          instanceId: t.instanceId,
          slot: 'gpu',
          gpu: i,
          query: metricStat(GPU_NAMESPACE, GPU_METRIC, dims, period, 'Maximum'),
        });
      }
    }

    // One window for every query, aligned to 5 minutes, which 1-minute periods divide too.
    const { start, end } = metricsWindow(window.windowSeconds, metricPeriodSeconds(false), window.now);
    for (let i = 0; i < planned.length; i += MAX_QUERIES_PER_CALL) {
      const batch = planned.slice(i, i + MAX_QUERIES_PER_CALL);
      const results = await this.getMetricData(client, region, batch, start, end);
      for (const [index, points] of results) {
        const q = batch[index]!;
        const series = out.get(q.instanceId)!;
        const into = q.slot === 'gpu' ? series.gpus![q.gpu!]! : series[q.slot];
        into.push(...points);
      }
    }
    for (const s of out.values()) {
      for (const list of [s.cpu, s.networkIn, s.networkOut, ...(s.gpus ?? [])]) list.sort(byTime);
    }
    return out;
  }

  /** One batch of at most 500 queries, every page; results keyed by position in the batch. */
  private async getMetricData(
    client: CloudWatchClient,
    region: string,
    batch: PlannedQuery[],
    start: Date,
    end: Date,
  ): Promise<Map<number, MetricPoint[]>> {
    const { GetMetricDataCommand } = await loadCloudWatchSdk();
    const queries = batch.map((q, i) => ({ ...q.query, Id: `q${i}` }));
    const points = new Map<number, MetricPoint[]>();
    let nextToken: string | undefined;
    do {
      this.stats.getMetricDataCalls++;
      this.stats.queries += nextToken ? 0 : queries.length;
      const page = await awsCall(`GetMetricData (${queries.length} metrics) in ${region}`, () =>
        client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        ),
      );
      for (const r of page.MetricDataResults ?? []) {
        const index = Number(r.Id?.slice(1));
        if (!Number.isInteger(index) || !batch[index]) continue;
        points.set(index, [...(points.get(index) ?? []), ...toPoints(r)]);
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return points;
  }

  /** The dimension sets of every GPU series the agent publishes for these instances. */
  private async gpuDimensions(
    client: CloudWatchClient,
    region: string,
    ids: Set<string>,
  ): Promise<Map<string, Dimension[][]>> {
    const { ListMetricsCommand } = await loadCloudWatchSdk();
    const found = new Map<string, Dimension[][]>();
    // A series listed twice is read once (moto lists one entry per data point).
    const seen = new Set<string>();
    let nextToken: string | undefined;
    do {
      this.stats.listMetricsCalls++;
      const page = await awsCall(`ListMetrics ${GPU_NAMESPACE}/${GPU_METRIC} in ${region}`, () =>
        client.send(
          new ListMetricsCommand({ Namespace: GPU_NAMESPACE, MetricName: GPU_METRIC, NextToken: nextToken }),
        ),
      );
      for (const m of page.Metrics ?? []) {
        const id = m.Dimensions?.find((d) => d.Name === 'InstanceId')?.Value;
        if (!id || !ids.has(id)) continue;
        const key = JSON.stringify(
          m.Dimensions!.map((d) => [d.Name, d.Value]).sort(([a], [b]) => String(a).localeCompare(String(b))),
        );
        if (seen.has(key)) continue;
        seen.add(key);
        found.set(id, [...(found.get(id) ?? []), m.Dimensions!]);
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return found;
  }
}

function metricStat(
  namespace: string,
  name: string,
  dimensions: Dimension[],
  period: number,
  stat: string,
): Omit<MetricDataQuery, 'Id'> {
  return {
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  };
}

function toPoints(r: MetricDataResult): MetricPoint[] {
  const ts = r.Timestamps ?? [];
  const vs = r.Values ?? [];
  return ts.flatMap((t, i) => {
    const value = vs[i];
    return value === undefined ? [] : [{ at: new Date(t).toISOString(), value }];
  });
}

const byTime = (a: MetricPoint, b: MetricPoint) => Date.parse(a.at) - Date.parse(b.at);
