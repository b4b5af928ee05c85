import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsDomainEventPublisher } from '../../src/aws/snsDomainEventPublisher.js';
import { nagSubject, SnsNotifier } from '../../src/aws/snsNotifier.js';
import { NotFoundError } from '../../src/core/errors.js';
import type { DomainEvent } from '../../src/core/events.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import type { NagNotification } from '../../src/core/notification.js';
import { useMoto } from '../support/moto.js';

/** One entry of moto's `sent_notifications`: [id, message, subject, attributes, groupId]. */
type Sent = [string, string, string | null, Record<string, { Type: string; Value: string }>, unknown];

const notification: NagNotification = {
  kind: 'nag',
  instanceId: 'i-0123456789abcdef0',
  name: 'web-1',
  instanceType: 't3.micro',
  availabilityZone: 'eu-west-1a',
  account: '123456789012',
  region: 'eu-west-1',
  group: 'web',
  launchTime: '2026-11-20T08:00:00.000Z',
  runtimeSeconds: 13 * 3600 + 120,
  thresholdSeconds: 12 * 3600,
  nagCount: 1,
  warnings: ['Threshold "abc" is not a duration; using 12h'],
  consoleUrl:
    'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0',
  dueAt: '2026-11-20T21:02:00.000Z',
};

describe('SNS publishers on moto', () => {
  const moto = useMoto();
  let sns: SNSClient;
  let topicArn: string;

  beforeEach(async () => {
    await moto.reset();
    sns = new SNSClient(moto.clientConfig);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'lightsout-nags' }))).TopicArn!;
  });

  async function sent(): Promise<Sent[]> {
    const data = (await moto.data()) as { sns: { Topic: { arn: string; sent_notifications: Sent[] }[] } };
    return data.sns.Topic.find((t) => t.arn === topicArn)?.sent_notifications ?? [];
  }

  it('publishes a nag as JSON with Target=<group>, Event=nag and a readable subject', async () => {
    // Arrange
    const notifier = new SnsNotifier(sns, topicArn);

    // Act
    await notifier.notify(notification);

    // Assert
    const [published] = await sent();
    expect(JSON.parse(published![1])).toEqual(notification);
    expect(published![2]).toBe('Lights Out: web-1 (i-0123456789abcdef0) running 13h 02m in eu-west-1 [web]');
    expect(published![3]).toEqual({
      Target: { Type: 'String', Value: 'web' },
      Event: { Type: 'String', Value: 'nag' },
    });
  });

  it('keeps subjects within 100 printable ASCII characters', () => {
    // Act
    const subject = nagSubject({ ...notification, name: `Ünïcödé ${'x'.repeat(200)}\nsecond line` });

    // Assert
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('reports a missing topic as NotFoundError so the nag is not recorded as sent', async () => {
    // Arrange
    const notifier = new SnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:no-such-topic');

    // Act
    const publishing = notifier.notify(notification);

    // Assert
    await expect(publishing).rejects.toBeInstanceOf(NotFoundError);
  });

  it('publishes domain events with Event=<type> and Target=<group>', async () => {
    // Arrange
    const publisher = new SnsDomainEventPublisher(sns, topicArn);
    const record = {
      region: 'eu-west-1',
      instanceId: 'i-0123456789abcdef0',
      launchTime: '2026-11-20T08:00:00.000Z',
      state: 'stopped',
      stateChangedAt: '2026-11-20T21:10:00.000Z',
      tags: { Monitor: 'true' },
      group: 'web',
      thresholdSeconds: 43_200,
      renotifySeconds: 3600,
      extensionSeconds: 0,
      nagCount: 2,
      warnings: [],
      chatRefs: [],
      version: 4,
    } satisfies InstanceRecord;
    const event: DomainEvent = {
      type: 'instance.stopped',
      record,
      runtimeSeconds: 47_400,
      at: '2026-11-20T21:10:00.000Z',
    };

    // Act
    await publisher.publish(event);

    // Assert
    const [published] = await sent();
    expect(JSON.parse(published![1])).toEqual(event);
    expect(published![3]).toEqual({
      Event: { Type: 'String', Value: 'instance.stopped' },
      Target: { Type: 'String', Value: 'web' },
    });
  });
});
