import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../src/aws/cloudWatchMetrics.js';
import { MINUTE } from '../../src/core/duration.js';
import { TransientError } from '../../src/core/errors.js';
import { DEFAULT_IDLE_THRESHOLDS, judgeIdle } from '../../src/core/idle.js';
import { CloudWatchData } from '../support/cloudWatchData.js';
import { VirtualClock } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { useMoto } from '../support/moto.js';

const REGION = 'us-east-1';

describe('CloudWatchMetrics on moto', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const clock = new VirtualClock(new Date('2026-11-21T18:00:00Z'));
  let data: CloudWatchData;
  let metrics: CloudWatchMetrics;

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
    data = new CloudWatchData(moto.clientConfig);
    // Through the fault proxy, so calls are counted where they reach CloudWatch; one attempt, so a fault shows.
    metrics = new CloudWatchMetrics(
      (region) => new CloudWatchClient({ ...proxy.get().clientConfig, region, maxAttempts: 1 }),
    );
  });

  const judge = async (ids: string[], opts: { detailed?: boolean } = {}) => {
    const now = clock.now();
    const read = await metrics.read(
      REGION,
      ids.map((instanceId) => ({ instanceId, detailedMonitoring: opts.detailed })),
      { windowSeconds: 30 * MINUTE, now },
    );
    return ids.map((id) => judgeIdle(read.get(id)!, 30 * MINUTE, DEFAULT_IDLE_THRESHOLDS, now));
  };

  it('judges idle, busy and no-data instances from what EC2 and the agent published', async () => {
    // Arrange
    const now = clock.now();
    await data.publish('i-00000000000000001', now, { fromMinutesAgo: 60 }, () => ({
      cpu: 0.4,
      network: 2_000,
    }));
    await data.publish('i-00000000000000002', now, { fromMinutesAgo: 60 }, (m) => ({
      cpu: m === 10 ? 48 : 0.4,
      network: 2_000,
    }));
    await data.publish('i-00000000000000003', now, { fromMinutesAgo: 60 }, () => ({
      cpu: 0.2,
      network: 1_000,
      gpus: [0, 91],
    }));

    // Act
    const [idle, busyCpu, busyGpu, silent] = await judge([
      'i-00000000000000001',
      'i-00000000000000002',
      'i-00000000000000003',
      'i-00000000000000004',
    ]);

    // Assert
    expect(idle).toMatchObject({
      idle: true,
      reason: 'idle for the whole 30m: CPU 0.4% avg · network 24 KB',
    });
    expect(busyCpu).toMatchObject({ idle: false });
    expect(busyCpu!.reason).toContain('CPU reached 48% (5-minute average, 10m ago)');
    expect(busyGpu).toMatchObject({ idle: false });
    expect(busyGpu!.reason).toContain('GPU reached 91%');
    expect(silent).toMatchObject({ idle: false });
    expect(silent!.reason).toContain('no CPU data for the last 30m: not judged idle');
  });

  it('reads 1-minute periods for detailed monitoring', async () => {
    const now = clock.now();
    await data.publish('i-00000000000000005', now, { fromMinutesAgo: 40, periodSeconds: 60 }, () => ({
      cpu: 1,
      network: 100,
    }));

    const read = await metrics.read(
      REGION,
      [{ instanceId: 'i-00000000000000005', detailedMonitoring: true }],
      {
        windowSeconds: 30 * MINUTE,
        now,
      },
    );

    const series = read.get('i-00000000000000005')!;
    expect(series.periodSeconds).toBe(60);
    expect(series.cpu.length).toBeGreaterThanOrEqual(30);
  });

  it('batches at 500 metrics per GetMetricData call: 400 instances × 3 metrics is 3 calls', async () => {
    const now = clock.now();
    const ids = Array.from({ length: 400 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await data.publish(ids[0]!, now, { fromMinutesAgo: 30 }, () => ({ cpu: 1, network: 1 }));
    await data.publish(ids[399]!, now, { fromMinutesAgo: 30 }, () => ({ cpu: 70, network: 1 }));

    const read = await metrics.read(
      REGION,
      ids.map((instanceId) => ({ instanceId })),
      { windowSeconds: 30 * MINUTE, now },
    );

    expect(proxy.get().count('GetMetricData').forwarded).toBe(3);
    expect(proxy.get().count('ListMetrics').forwarded).toBe(1);
    expect(metrics.stats).toMatchObject({ getMetricDataCalls: 3, queries: 1200 });
    // The last batch maps back to the right instance.
    expect(read.get(ids[399]!)!.cpu.every((p) => p.value === 70)).toBe(true);
    expect(read.get(ids[0]!)!.cpu.every((p) => p.value === 1)).toBe(true);
    expect(read.get(ids[200]!)!.cpu).toEqual([]);
  });

  it('turns a throttled GetMetricData into a TransientError that keeps the SDK error as cause', async () => {
    proxy.get().addRule({ action: 'GetMetricData', fault: { kind: 'throttle' } });

    const failure = await metrics
      .read(REGION, [{ instanceId: 'i-00000000000000001' }], { windowSeconds: 30 * MINUTE, now: clock.now() })
      .catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toMatch(/^GetMetricData \(3 metrics\) in us-east-1 failed: /);
    expect((failure as Error).cause).toBeDefined();
  });
});
