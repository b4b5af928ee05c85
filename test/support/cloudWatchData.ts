/**
 * Writes EC2 and CloudWatch-agent metrics into moto with PutMetricData, the
 * way EC2 and the agent publish them: `AWS/EC2` CPUUtilization, NetworkIn and
 * NetworkOut with dimension InstanceId, and `CWAgent`
 * `nvidia_smi_utilization_gpu` with the agent's GPU dimensions. Timestamps
 * are relative to the test's clock.
 */
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';

export interface Activity {
  cpu: number;
  /** Bytes per period, each of NetworkIn and NetworkOut. */
  network: number;
  /** GPU utilisation per GPU, when the instance has the agent's GPU metrics. */
  gpus?: number[];
}

export class CloudWatchData {
  readonly client: CloudWatchClient;

  constructor(config: ConstructorParameters<typeof CloudWatchClient>[0]) {
    // Uncompressed: moto reads the SDK's gzip-encoded PutMetricData bodies (over 10 KB) as plain JSON and fails.
    this.client = new CloudWatchClient({ ...config, disableRequestCompression: true });
  }

  /**
   * One data point per `periodSeconds` from `fromMinutesAgo` to `toMinutesAgo`
   * before `now`, each with `activity(minutesAgo)`.
   */
  async publish(
    instanceId: string,
    now: Date,
    span: { fromMinutesAgo: number; toMinutesAgo?: number; periodSeconds?: number },
    activity: (minutesAgo: number) => Activity,
  ): Promise<void> {
    const step = (span.periodSeconds ?? 300) / 60;
    const ec2: MetricDatum[] = [];
    const agent: MetricDatum[] = [];
    const dim = [{ Name: 'InstanceId', Value: instanceId }];
    for (let m = span.fromMinutesAgo; m >= (span.toMinutesAgo ?? 0); m -= step) {
      const at = new Date(now.getTime() - m * 60_000);
      const a = activity(m);
      ec2.push(
        { MetricName: 'CPUUtilization', Dimensions: dim, Timestamp: at, Value: a.cpu, Unit: 'Percent' },
        { MetricName: 'NetworkIn', Dimensions: dim, Timestamp: at, Value: a.network, Unit: 'Bytes' },
        { MetricName: 'NetworkOut', Dimensions: dim, Timestamp: at, Value: a.network, Unit: 'Bytes' },
      );
      for (const [index, value] of (a.gpus ?? []).entries()) {
        agent.push({
          MetricName: 'nvidia_smi_utilization_gpu',
          Dimensions: [
            ...dim,
            { Name: 'index', Value: String(index) },
            { Name: 'name', Value: 'NVIDIA A10G' },
            { Name: 'arch', Value: 'Ampere' },
          ],
          Timestamp: at,
          Value: value,
          Unit: 'Percent',
        });
      }
    }
    await this.put('AWS/EC2', ec2);
    await this.put('CWAgent', agent);
  }

  private async put(namespace: string, data: MetricDatum[]): Promise<void> {
    // PutMetricData takes at most 1,000 data points per call.
    for (let i = 0; i < data.length; i += 1000) {
      await this.client.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 1000) }),
      );
    }
  }
}
