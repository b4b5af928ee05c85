/**
 * Is this instance idle? Judged from CloudWatch series over a window: every
 * metric below its threshold for the whole window, or not idle, with the
 * reason either way. No data is never idle: a stop on missing evidence would
 * be a stop without consent, so the reason says what is missing instead.
 *
 * Pure: the series and `now` come in; nothing here reads CloudWatch or a clock.
 */
import { formatDuration, MINUTE } from './duration.js';

/** Below these, for every period of the window, an instance is idle. */
export interface IdleThresholds {
  /** Average CPUUtilization per period, percent. */
  cpuPercent: number;
  /** NetworkIn + NetworkOut, bytes per 5 minutes (scaled for 1-minute periods). */
  networkBytesPer5Min: number;
  /** nvidia_smi_utilization_gpu of the busiest GPU, percent. */
  gpuPercent: number;
}

export const DEFAULT_IDLE_THRESHOLDS: IdleThresholds = {
  cpuPercent: 5,
  networkBytesPer5Min: 1_000_000,
  gpuPercent: 5,
};

/** One period's value; `at` is the period's start (ISO). */
export interface MetricPoint {
  at: string;
  value: number;
}

/** One instance's series over a window, one point per period that has data. */
export interface InstanceMetricSeries {
  periodSeconds: number;
  /** CPUUtilization, Average per period. */
  cpu: MetricPoint[];
  /** NetworkIn and NetworkOut, Sum per period (bytes). */
  networkIn: MetricPoint[];
  networkOut: MetricPoint[];
  /**
   * nvidia_smi_utilization_gpu, one series per GPU the CloudWatch agent
   * reports. Absent when the agent publishes no GPU metric for the instance
   * (no GPU, or no agent): GPU then plays no part in the verdict.
   */
  gpus?: MetricPoint[][];
}

/** EC2 publishes every 5 minutes, or every minute with detailed monitoring on. */
export function metricPeriodSeconds(detailedMonitoring: boolean | undefined): number {
  return detailedMonitoring ? MINUTE : 5 * MINUTE;
}

/**
 * How late CloudWatch may be with the newest period before "no recent data"
 * means something: EC2's basic metrics arrive up to ~10 minutes after the
 * period they describe.
 */
export const REPORTING_LAG_SECONDS = 10 * MINUTE;

/** The window `[start, end)` to ask CloudWatch for, aligned to whole periods as CloudWatch buckets them. */
export function metricsWindow(
  windowSeconds: number,
  periodSeconds: number,
  now: Date,
): { start: Date; end: Date } {
  const p = periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / p) * p;
  const start = Math.floor((now.getTime() - windowSeconds * 1000) / p) * p;
  return { start: new Date(start), end: new Date(end) };
}

/** What the series say, summed up for people: the nag's evidence line. */
export interface IdleEvidence {
  windowSeconds: number;
  periodSeconds: number;
  /** Mean of the per-period CPU averages; absent without CPU data. */
  cpuAvgPercent?: number;
  cpuMaxPercent?: number;
  /** NetworkIn + NetworkOut over the window; absent without network data. */
  networkBytes?: number;
  /** Busiest GPU, mean of per-period values; absent when the agent reports no GPU. */
  gpuAvgPercent?: number;
  gpuMaxPercent?: number;
  /** True when the agent publishes a GPU metric for the instance, with or without data in the window. */
  gpuReported: boolean;
}

export interface IdleVerdict {
  idle: boolean;
  /** Why, in words that can go straight into a chat reply. */
  reason: string;
  evidence: IdleEvidence;
}

/**
 * Idle when every metric is below its threshold in every period of the
 * window and the data covers the whole window. `windowSeconds` is the
 * consent's "for 30m".
 */
export function judgeIdle(
  series: InstanceMetricSeries,
  windowSeconds: number,
  thresholds: IdleThresholds,
  now: Date,
): IdleVerdict {
  const evidence = summarizeEvidence(series, windowSeconds, now);
  const window = formatDuration(windowSeconds);
  const period = series.periodSeconds;
  const periodText = `${Math.round(period / MINUTE)}-minute`;
  const notIdle = (reason: string): IdleVerdict => ({ idle: false, reason, evidence });

  const cpu = inWindow(series.cpu, windowSeconds, period, now);
  const network = inWindow(sumByPeriod(series.networkIn, series.networkOut), windowSeconds, period, now);
  const gaps = [
    coverage('CPU', cpu, windowSeconds, period, now, series.periodSeconds === MINUTE),
    coverage('network', network, windowSeconds, period, now, series.periodSeconds === MINUTE),
  ];
  const gpuSeries = series.gpus?.map((g) => inWindow(g, windowSeconds, period, now));
  if (gpuSeries) {
    const busiest = maxByPeriod(gpuSeries);
    if (busiest.length === 0) {
      gaps.push(
        `no GPU data for the last ${window}, though the CloudWatch agent has reported GPU metrics for it: is the agent running?`,
      );
    }
  }
  const gap = gaps.find((g) => g !== undefined);
  if (gap) return notIdle(gap);

  const busyCpu = cpu.find((p) => p.value >= thresholds.cpuPercent);
  if (busyCpu) {
    return notIdle(
      `CPU reached ${percent(busyCpu.value)} (${periodText} average, ${ago(busyCpu, now)}); idle needs below ${percent(thresholds.cpuPercent)} for the whole ${window}`,
    );
  }
  const per5 = (bytes: number) => bytes * ((5 * MINUTE) / period);
  const busyNet = network.find((p) => per5(p.value) >= thresholds.networkBytesPer5Min);
  if (busyNet) {
    return notIdle(
      `network reached ${formatBytes(busyNet.value)} in ${formatDuration(period)} (${ago(busyNet, now)}); idle needs below ${formatBytes(thresholds.networkBytesPer5Min)} per 5 minutes for the whole ${window}`,
    );
  }
  const busyGpu = gpuSeries
    ? maxByPeriod(gpuSeries).find((p) => p.value >= thresholds.gpuPercent)
    : undefined;
  if (busyGpu) {
    return notIdle(
      `GPU reached ${percent(busyGpu.value)} (${ago(busyGpu, now)}); idle needs below ${percent(thresholds.gpuPercent)} for the whole ${window}`,
    );
  }
  return { idle: true, reason: `idle for the whole ${window}: ${evidenceFigures(evidence)}`, evidence };
}

/** The series summed over the window, without a verdict (the nag's evidence). */
export function summarizeEvidence(
  series: InstanceMetricSeries,
  windowSeconds: number,
  now: Date,
): IdleEvidence {
  const period = series.periodSeconds;
  const cpu = inWindow(series.cpu, windowSeconds, period, now);
  const netIn = inWindow(series.networkIn, windowSeconds, period, now);
  const netOut = inWindow(series.networkOut, windowSeconds, period, now);
  const gpu = series.gpus ? maxByPeriod(series.gpus.map((g) => inWindow(g, windowSeconds, period, now))) : [];
  const evidence: IdleEvidence = {
    windowSeconds,
    periodSeconds: period,
    gpuReported: series.gpus !== undefined,
  };
  if (cpu.length) {
    evidence.cpuAvgPercent = mean(cpu);
    evidence.cpuMaxPercent = Math.max(...cpu.map((p) => p.value));
  }
  if (netIn.length || netOut.length) evidence.networkBytes = total(netIn) + total(netOut);
  if (gpu.length) {
    evidence.gpuAvgPercent = mean(gpu);
    evidence.gpuMaxPercent = Math.max(...gpu.map((p) => p.value));
  }
  return evidence;
}

/**
 * The evidence line of a nag: "CPU 0.4% avg over the last 2h · network 12 KB",
 * with the GPU where the agent reports one, and what is missing when it is.
 */
export function evidenceText(e: IdleEvidence): string {
  const window = formatDuration(e.windowSeconds);
  if (e.cpuAvgPercent === undefined && e.networkBytes === undefined) {
    return `no CloudWatch data for the last ${window}`;
  }
  return evidenceFigures(e, ` over the last ${window}`);
}

function evidenceFigures(e: IdleEvidence, over = ''): string {
  const parts = [
    e.cpuAvgPercent === undefined ? `no CPU data${over}` : `CPU ${percent(e.cpuAvgPercent)} avg${over}`,
    e.networkBytes === undefined ? 'no network data' : `network ${formatBytes(e.networkBytes)}`,
  ];
  if (e.gpuAvgPercent !== undefined) parts.push(`GPU ${percent(e.gpuAvgPercent)} avg`);
  else if (e.gpuReported) parts.push('no GPU data');
  return parts.join(' · ');
}

/** Decimal units, like the thresholds: `512 B`, `12 KB`, `1.4 MB`, `3 GB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const shown = i === 0 || v >= 10 ? Math.round(v).toString() : v.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[i]}`;
}

function percent(v: number): string {
  return `${v < 10 ? Math.round(v * 10) / 10 : Math.round(v)}%`;
}

/**
 * Why the data cannot judge the window, or undefined when it covers it: no
 * data at all, data that starts after the window does (a run younger than the
 * window, or metrics only just switched on), or nothing recent (CloudWatch late).
 */
function coverage(
  metric: string,
  points: MetricPoint[],
  windowSeconds: number,
  period: number,
  now: Date,
  detailed: boolean,
): string | undefined {
  const window = formatDuration(windowSeconds);
  if (points.length === 0) {
    const hint = detailed
      ? 'is the instance reporting to CloudWatch in this region?'
      : 'with detailed monitoring off EC2 reports every 5 minutes, up to 10 minutes late, so a window this short may hold none';
    return `no ${metric} data for the last ${window}: not judged idle (${hint})`;
  }
  const startMs = now.getTime() - windowSeconds * 1000;
  const first = Date.parse(points[0]!.at);
  if (first > startMs + period * 1000) {
    const covered = formatDuration((now.getTime() - first) / 1000);
    return `${metric} data covers only the last ${covered} of the ${window} window: not idle for the whole window yet`;
  }
  const last = Date.parse(points[points.length - 1]!.at);
  if (now.getTime() - last > (period + REPORTING_LAG_SECONDS) * 1000) {
    return `no ${metric} data for the last ${formatDuration((now.getTime() - last) / 1000)}: CloudWatch is late, so idleness can't be judged`;
  }
  return undefined;
}

/** Points whose period overlaps `[now - window, now]`, oldest first. */
function inWindow(points: MetricPoint[], windowSeconds: number, period: number, now: Date): MetricPoint[] {
  const from = now.getTime() - windowSeconds * 1000 - period * 1000;
  return points
    .filter((p) => {
      const t = Date.parse(p.at);
      return t > from && t <= now.getTime() && Number.isFinite(p.value);
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** NetworkIn + NetworkOut per period; a period with only one side counts that side. */
function sumByPeriod(a: MetricPoint[], b: MetricPoint[]): MetricPoint[] {
  const by = new Map<number, number>();
  for (const p of [...a, ...b]) by.set(Date.parse(p.at), (by.get(Date.parse(p.at)) ?? 0) + p.value);
  return [...by].map(([t, value]) => ({ at: new Date(t).toISOString(), value }));
}

/** The busiest GPU per period: one busy GPU of eight is a busy instance. */
function maxByPeriod(series: MetricPoint[][]): MetricPoint[] {
  const by = new Map<number, number>();
  for (const p of series.flat()) by.set(Date.parse(p.at), Math.max(by.get(Date.parse(p.at)) ?? 0, p.value));
  return [...by].sort(([a], [b]) => a - b).map(([t, value]) => ({ at: new Date(t).toISOString(), value }));
}

function ago(p: MetricPoint, now: Date): string {
  return `${formatDuration((now.getTime() - Date.parse(p.at)) / 1000)} ago`;
}

const total = (ps: MetricPoint[]) => ps.reduce((s, p) => s + p.value, 0);
const mean = (ps: MetricPoint[]) => total(ps) / ps.length;

/**
 * Whether a run's idle evidence is worth reading now: it is up and its next
 * nag falls within `horizonSeconds`. Reading only these keeps a sweep of a
 * large fleet to the few instances about to be nagged.
 */
export function evidenceDue(
  record: { state: string; nextNagAt?: string },
  now: Date,
  horizonSeconds: number,
): boolean {
  if (record.state !== 'running' && record.state !== 'pending') return false;
  if (!record.nextNagAt) return false;
  return Date.parse(record.nextNagAt) <= now.getTime() + horizonSeconds * 1000;
}

/** The evidence window of a run: `windowSeconds`, or the run's age when it is younger (earlier data belongs to another run). */
export function evidenceWindowSeconds(launchTime: string, windowSeconds: number, now: Date): number {
  const age = Math.floor((now.getTime() - Date.parse(launchTime)) / 1000);
  return Math.max(MINUTE, Math.min(windowSeconds, age));
}
