/**
 * The single process's notifiers: the log always, SNS (with Target=<group>)
 * when SNS_TOPIC_ARN is set, so email subscriptions keep working beside chat.
 */
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { NagNotification } from '../../src/core/notification.js';
import { createLogger } from '../../src/log.js';
import { InProcessEventBus } from '../../src/services/monitor/eventBus.js';
import { buildNotifier } from '../../src/wiring/notifiers.js';
import { useMoto } from '../support/moto.js';

type Sent = [string, string, string | null, Record<string, { Type: string; Value: string }>, unknown];

const nag: NagNotification = {
  kind: 'nag',
  instanceId: 'i-0123456789abcdef0',
  region: 'us-east-1',
  group: 'web',
  launchTime: '2026-11-20T08:00:00.000Z',
  runtimeSeconds: 13 * 3600,
  thresholdSeconds: 12 * 3600,
  nagCount: 1,
  warnings: [],
  consoleUrl:
    'https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-0123456789abcdef0',
  dueAt: '2026-11-20T20:00:00.000Z',
};

describe('single-process notifiers', () => {
  const moto = useMoto();
  let topicArn: string;

  beforeEach(async () => {
    await moto.reset();
    const sns = new SNSClient(moto.clientConfig);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'lightsout-nags' }))).TopicArn!;
  });

  async function sent(): Promise<Sent[]> {
    const data = (await moto.data()) as { sns: { Topic: { arn: string; sent_notifications: Sent[] }[] } };
    return data.sns.Topic.find((t) => t.arn === topicArn)?.sent_notifications ?? [];
  }

  const notifierFor = (env: Record<string, string>) => {
    const log = createLogger('test', 'ERROR');
    return buildNotifier({
      config: loadConfig({ REGIONS: 'us-east-1', ...env }),
      log,
      bus: new InProcessEventBus(),
    });
  };

  it('also publishes to SNS with Target=<group> when SNS_TOPIC_ARN is set', async () => {
    const notifier = await notifierFor({ SNS_TOPIC_ARN: topicArn });

    await notifier.notify(nag);

    const [published] = await sent();
    expect(published?.[3].Target).toEqual({ Type: 'String', Value: 'web' });
    expect(JSON.parse(published![1])).toEqual(nag);
  });
});
