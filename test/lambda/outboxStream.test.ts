/**
 * The outbox on AWS, end to end on moto: the instance store writes a record
 * and its event in one transaction, the table's stream (read with the
 * DynamoDB Streams API) feeds the outboxStream handler, which publishes the
 * event to the events topic and removes the entry. A publish that fails is
 * kept with its backoff and redriven by the reconcile sweep's drain.
 */
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../src/aws/clients.js';
import { DynamoInstanceStore } from '../../src/aws/dynamodb/instanceStore.js';
import { DynamoOutbox } from '../../src/aws/dynamodb/outbox.js';
import { DynamoRunHistory } from '../../src/aws/dynamodb/runHistory.js';
import { loadConfig } from '../../src/config/index.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { awsOutboxDeliverer, STREAM_GRACE_SECONDS } from '../../src/lambda/outboxDeps.js';
import { outboxStreamHandler } from '../../src/lambda/outboxStream.js';
import { createLogger } from '../../src/log.js';
import { createTable } from '../support/dynamoTable.js';
import { VirtualClock } from '../support/fakes.js';
import { useMoto } from '../support/moto.js';
import { openTableStream } from '../support/tableStream.js';

const LAUNCH = '2026-11-20T08:00:00.000Z';
const running: InstanceRecord = {
  region: 'us-east-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: LAUNCH,
  state: 'running',
  stateChangedAt: LAUNCH,
  tags: { Monitor: 'true' },
  group: 'web',
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 1,
  warnings: [],
  chatRefs: [],
  version: 0,
};

interface Sent {
  0: string;
  1: string;
  3: Record<string, { Value: string }>;
}

describe('outbox delivery from the DynamoDB stream (moto)', () => {
  const moto = useMoto();
  const log = createLogger('test', 'ERROR');
  let clock: VirtualClock;
  let topicArn: string;

  beforeEach(async () => {
    await moto.reset();
    clock = new VirtualClock(new Date('2026-11-20T12:00:00.000Z'));
    await createTable(moto, 'lightsout', { stream: true });
    const sns = new SNSClient(moto.clientConfig);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'lightsout-events' }))).TopicArn!;
  });

  const config = (eventsTopic: string) =>
    loadConfig({ REGIONS: 'us-east-1', TABLE_NAME: 'lightsout', EVENTS_TOPIC_ARN: eventsTopic });
  const store = () =>
    new DynamoInstanceStore(dynamoDocumentClient('us-east-1'), 'lightsout', { clock: clock.now });
  const outbox = () => new DynamoOutbox(dynamoDocumentClient('us-east-1'), 'lightsout', { clock: clock.now });

  async function published(): Promise<Sent[]> {
    const data = (await moto.data()) as { sns: { Topic: { arn: string; sent_notifications: Sent[] }[] } };
    return data.sns.Topic.find((t) => t.arn === topicArn)?.sent_notifications ?? [];
  }

  /** Writes the stop as the engine does: the record and its event in one transaction. */
  async function writeStop() {
    const saved = await store().put(running, { expectedVersion: 0 });
    await store().put(
      { ...saved, state: 'stopped', stateChangedAt: clock.now().toISOString() },
      {
        expectedVersion: 1,
        events: [
          {
            type: 'instance.stopped',
            record: saved,
            runtimeSeconds: 4 * 3600,
            at: clock.now().toISOString(),
          },
        ],
      },
    );
  }

  it('publishes a new entry from the stream to the events topic and removes it', async () => {
    // Arrange
    const stream = await openTableStream(moto, 'lightsout');
    await writeStop();
    const deliverer = awsOutboxDeliverer(config(topicArn), log, clock.now);
    const handler = outboxStreamHandler(() => ({ deliverer, log }));

    // Act
    const records = await stream.next();
    const result = await handler(records);

    // Assert: the record's own writes are skipped, the entry is delivered.
    const keys = records.Records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk?.S}`);
    expect(keys).toContain('MODIFY INSTANCE');
    expect(keys.filter((k) => k.endsWith('OUTBOX'))).toEqual(['INSERT OUTBOX']);
    expect(result).toEqual({ batchItemFailures: [] });
    const sent = await published();
    expect(sent).toHaveLength(1);
    expect(sent[0]![3].Event).toEqual({ Type: 'String', Value: 'instance.stopped' });
    expect(JSON.parse(sent[0]![1])).toMatchObject({
      type: 'instance.stopped',
      record: { instanceId: running.instanceId },
    });
    expect(await outbox().stats()).toEqual({ depth: 0, failed: 0 });
  });

  it('records the ended run in the run history as it delivers the event', async () => {
    // Arrange
    const stream = await openTableStream(moto, 'lightsout');
    await writeStop();
    const deliverer = awsOutboxDeliverer(config(topicArn), log, clock.now);

    // Act
    await outboxStreamHandler(() => ({ deliverer, log }))(await stream.next());

    // Assert: 4 h against a 1 h threshold, stopped outside Lights Out, price unknown.
    const history = new DynamoRunHistory(dynamoDocumentClient('us-east-1'), 'lightsout');
    const day = { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-21T00:00:00Z') };
    expect(await history.between(day)).toEqual([
      {
        region: 'us-east-1',
        instanceId: running.instanceId,
        launchTime: LAUNCH,
        stoppedAt: '2026-11-20T12:00:00.000Z',
        endedBy: 'outside',
        group: 'web',
        thresholdSeconds: 3600,
        runtimeSeconds: 4 * 3600,
        secondsBeyondThreshold: 3 * 3600,
        hourlyUsd: null,
      },
    ]);
  });

  it('keeps an entry whose publish failed and redelivers it from the sweep after the backoff', async () => {
    // Arrange: the stream's attempt publishes to a topic that does not exist.
    const stream = await openTableStream(moto, 'lightsout');
    await writeStop();
    const missing = topicArn.replace('lightsout-events', 'gone');
    const failing = awsOutboxDeliverer(config(missing), log, clock.now);
    const result = await outboxStreamHandler(() => ({ deliverer: failing, log }))(await stream.next());
    const afterFailure = await outbox().stats();

    // Act: the next sweeps, before and after the backoff.
    const sweep = awsOutboxDeliverer(config(topicArn), log, clock.now);
    const early = await sweep.drain({ minAgeSeconds: STREAM_GRACE_SECONDS });
    clock.advance(60);
    const late = await sweep.drain({ minAgeSeconds: STREAM_GRACE_SECONDS });

    // Assert
    expect(result).toEqual({ batchItemFailures: [] });
    expect(afterFailure).toMatchObject({
      depth: 1,
      oldestPending: { attempts: 1, lastError: expect.any(String) },
    });
    expect(early).toMatchObject({ delivered: 0, waiting: 1 });
    expect(late).toMatchObject({ delivered: 1 });
    expect(await published()).toHaveLength(1);
    expect(await outbox().stats()).toEqual({ depth: 0, failed: 0 });
  });

  it('leaves an entry the stream is still delivering to the stream, not to the sweep', async () => {
    // Arrange
    await writeStop();
    const sweep = awsOutboxDeliverer(config(topicArn), log, clock.now);

    // Act
    const report = await sweep.drain({ minAgeSeconds: STREAM_GRACE_SECONDS });

    // Assert
    expect(report).toMatchObject({ delivered: 0, waiting: 1 });
    expect(await published()).toHaveLength(0);
  });
});
