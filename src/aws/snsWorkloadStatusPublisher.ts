/**
 * Per-tier and final workload status to SNS, as AWS_EC2_Scheduler's users
 * subscribed to. The topic is the spec's SNSTopicName (looked up by name in
 * the workload's region, so no account id is needed) or the configured
 * default topic ARN. The message is JSON for machines plus a readable subject.
 */
import { ListTopicsCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { NotFoundError } from '../core/errors.js';
import type { WorkloadRun } from '../core/workloads/run.js';
import { renderRun, summaryLine, tierLine } from '../core/workloads/runText.js';
import type { WorkloadStatusKind, WorkloadStatusPublisher } from '../ports/workloadStatus.js';
import { awsCall } from './errors.js';

export interface WorkloadStatusMessage {
  kind: 'workload.tier' | 'workload.final';
  runId: string;
  workload: string;
  action: string;
  requestedBy: string;
  status: string;
  tier?: {
    name: string;
    status: string;
    note?: string;
    instances: { instanceId: string; status: string; reason?: string }[];
  };
  summary: string;
  text: string;
}

export function workloadStatusMessage(
  run: WorkloadRun,
  kind: WorkloadStatusKind,
  tierIndex?: number,
): WorkloadStatusMessage {
  const tier = tierIndex !== undefined ? run.tiers[tierIndex] : undefined;
  return {
    kind: kind === 'tier' ? 'workload.tier' : 'workload.final',
    runId: run.runId,
    workload: run.workload,
    action: run.action,
    requestedBy: run.requestedBy,
    status: run.status,
    tier: tier && { name: tier.tier, status: tier.status, note: tier.note, instances: tier.instances },
    summary: run.summary ?? summaryLine(run),
    text: renderRun(run).join('\n'),
  };
}

export class SnsWorkloadStatusPublisher implements WorkloadStatusPublisher {
  private readonly arns = new Map<string, string>();

  constructor(
    private readonly clientFor: (region: string) => SNSClient,
    private readonly defaultTopicArn?: string,
  ) {}

  async publish(run: WorkloadRun, kind: WorkloadStatusKind, tierIndex?: number): Promise<void> {
    const topicArn = run.spec.snsTopicName
      ? await this.topicArn(run.region, run.spec.snsTopicName)
      : this.defaultTopicArn;
    if (!topicArn) return;
    const message = workloadStatusMessage(run, kind, tierIndex);
    const tier = tierIndex !== undefined ? run.tiers[tierIndex] : undefined;
    const subject = `Lights Out ${run.action} ${run.workload}: ${tier ? tierLine(tier, run.action) : message.summary}`;
    const region = topicArn.split(':')[3] ?? run.region;
    await awsCall(`Publish workload status to ${topicArn}`, () =>
      this.clientFor(region).send(
        new PublishCommand({
          TopicArn: topicArn,
          // SNS subjects: ASCII-ish, no newlines, at most 100 characters.
          Subject: subject
            .replace(/[^\x20-\x7e]/g, '')
            .replace(/\s+/g, ' ')
            .slice(0, 100),
          Message: JSON.stringify(message),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: message.kind },
            workload: { DataType: 'String', StringValue: run.workload },
          },
        }),
      ),
    );
  }

  private async topicArn(region: string, name: string): Promise<string> {
    const key = `${region}/${name}`;
    const cached = this.arns.get(key);
    if (cached) return cached;
    let token: string | undefined;
    do {
      const page = await awsCall(`ListTopics in ${region}`, () =>
        this.clientFor(region).send(new ListTopicsCommand({ NextToken: token })),
      );
      const hit = page.Topics?.find((t) => t.TopicArn?.endsWith(`:${name}`));
      if (hit?.TopicArn) {
        this.arns.set(key, hit.TopicArn);
        return hit.TopicArn;
      }
      token = page.NextToken;
    } while (token);
    throw new NotFoundError(
      `SNS topic "${name}" (SNSTopicName) does not exist in ${region}; create it or fix the spec`,
    );
  }
}
