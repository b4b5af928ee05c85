import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { buildLambdaCleanup } from '../../src/lambda/cleanupDeps.js';
import { decommissionHandler } from '../../src/lambda/decommission.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../src/services/cleanup/webhookHook.js';
import { cleanupWorld, terminatedRecord } from '../support/cleanupWorld.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';
import { startWebhookReceiver } from '../support/webhookReceiver.js';

type Sent = [string, string, string, Record<string, { Type: string; Value: string }>];
const SECRET = 'lambda-secret-0123456789abcdef';

describe('decommission Lambda (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeEach(async () => {
    await moto.reset();
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  async function arrange() {
    const { tableName } = await createTable(moto);
    const topicArn = (
      await new SNSClient(moto.clientConfig).send(new CreateTopicCommand({ Name: 'lightsout-events' }))
    ).TopicArn!;
    const secretArn = (
      await new SecretsManagerClient(moto.clientConfig).send(
        new CreateSecretCommand({
          Name: 'lightsout/webhook',
          SecretString: JSON.stringify({ webhookSecret: SECRET }),
        }),
      )
    ).ARN!;
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web-1.internal.', ['10.0.0.5']);
    const env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      TABLE_NAME: tableName,
      EVENTS_TOPIC_ARN: topicArn,
      CLEANUP_HOSTED_ZONES: zoneId,
      CLEANUP_WEBHOOK_URLS: receiver.url,
      WEBHOOK_SECRET_ARN: secretArn,
      CLEANUP_RETRY_BACKOFF: '0',
    };
    return { env, topicArn, zoneId };
  }

  const snsEvent = (...messages: unknown[]) => ({
    Records: messages.map((m, i) => ({
      Sns: { MessageId: `m-${i}`, Message: typeof m === 'string' ? m : JSON.stringify(m) },
    })),
  });
  const terminated = {
    type: 'instance.terminated',
    record: terminatedRecord(),
    runtimeSeconds: 36_000,
    at: '2026-11-20T18:00:00.000Z',
  };

  async function published(topicArn: string): Promise<Sent[]> {
    const data = (await moto.data()) as { sns: { Topic: { arn: string; sent_notifications: Sent[] }[] } };
    return data.sns.Topic.find((t) => t.arn === topicArn)?.sent_notifications ?? [];
  }

  it('cleans up after a terminated event, reports it to the events topic, and skips a redelivery', async () => {
    const { env, topicArn, zoneId } = await arrange();
    const handler = decommissionHandler(() => buildLambdaCleanup(env));

    const first = await handler(snsEvent(terminated));
    const again = await handler(snsEvent(terminated));

    expect(first).toMatchObject({ status: 'handled', results: [{ ok: true }] });
    expect(await world.records(zoneId)).toEqual({});
    expect(again).toMatchObject({
      status: 'handled',
      results: [{ skipped: expect.stringContaining('already cleaned up') }],
    });
    const sent = await published(topicArn);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]![1])).toMatchObject({
      type: 'instance.cleaned-up',
      outcomes: [
        { hook: 'route53', ok: true, summary: 'removed web-1.internal A' },
        { hook: 'webhook', ok: true, summary: 'webhook ok' },
      ],
    });
    expect(sent[0]![3]).toEqual({
      Event: { Type: 'String', Value: 'instance.cleaned-up' },
      Target: { Type: 'String', Value: 'dev' },
    });
    const [request] = receiver.received;
    expect(receiver.received).toHaveLength(1);
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        body: request!.body,
        signature: request!.headers[SIGNATURE_HEADER.toLowerCase()] as string,
        timestamp: request!.headers[TIMESTAMP_HEADER.toLowerCase()] as string,
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    ).toBe(true);
  });

  it('drops malformed and foreign messages with a reason, and still handles the good one', async () => {
    const { env } = await arrange();
    const handler = decommissionHandler(() => buildLambdaCleanup(env));

    const result = await handler(
      snsEvent(
        'not json',
        { type: 'instance.stopped' },
        { type: 'instance.terminated', record: {} },
        terminated,
      ),
    );

    expect(result.status).toBe('handled');
    if (result.status !== 'handled') throw new Error('expected handled');
    expect(result.results).toHaveLength(1);
    expect(result.dropped).toEqual([
      'message m-0 is not JSON',
      'event type instance.stopped is not handled here',
      expect.stringContaining('record.instanceId'),
    ]);
    expect(await handler({ hello: 'world' })).toMatchObject({ status: 'dropped' });
  });

  it('refuses a plain WEBHOOK_SECRET and names the missing settings at cold start', async () => {
    const { env } = await arrange();

    const plain = buildLambdaCleanup({ ...env, WEBHOOK_SECRET: SECRET });
    const bare = buildLambdaCleanup({ AWS_ENDPOINT_URL: moto.endpoint });

    await expect(plain).rejects.toThrow(/WEBHOOK_SECRET must not be set on a Lambda function/);
    await expect(bare).rejects.toBeInstanceOf(ConfigError);
    await expect(bare).rejects.toThrow(/TABLE_NAME is required[\s\S]*EVENTS_TOPIC_ARN is required/);
  });
});
