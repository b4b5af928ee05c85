/**
 * Everything the Slack Lambda tests share: moto (EC2, DynamoDB, Secrets
 * Manager, EventBridge Scheduler), the fake Slack Web API, both Lambda
 * handlers built exactly as at cold start, and an engine to seed runs.
 */

import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context, SNSEvent } from 'aws-lambda';
import type { DynamoInstanceStore } from '../../../src/aws/dynamodb/instanceStore.js';
import type { EventBridgeNagScheduler } from '../../../src/aws/eventBridgeNagScheduler.js';
import type { SlackWork } from '../../../src/chat/slack/slackWork.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import { createChatNotifyHandler } from '../../../src/lambda/chatNotify.js';
import { createSlackEventsHandler } from '../../../src/lambda/slackEvents.js';
import type { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { createTable } from '../../support/dynamoTable.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fakeSlackApi.js';
import { type InProcessHandOff, inProcessHandOff } from '../../support/inProcessHandOff.js';
import { LAMBDA_REGION, lambdaBaseEnv, lambdaEngine, launchMonitored } from '../../support/lambdaEngine.js';
import type { MotoServer } from '../../support/moto.js';
import { SIGNING_SECRET } from '../../support/slackRequests.js';

export const REGION = LAMBDA_REGION;
const TABLE = 'lightsout';

export type LambdaAnswer = APIGatewayProxyResultV2 & { statusCode?: number; body?: string };

export interface SlackLambdaWorld {
  slack: FakeSlackApi;
  /** Slack's request, answered, and then every piece of work it handed off carried out. */
  events: (e: APIGatewayProxyEventV2) => Promise<LambdaAnswer>;
  /** Slack's request, answered; handed-off work may still be running (see `handOffs.settled()`). */
  answer: (e: APIGatewayProxyEventV2) => Promise<LambdaAnswer>;
  handOffs: InProcessHandOff<SlackWork>;
  notify: (e: SNSEvent) => Promise<void>;
  engine: MonitorService;
  scheduler: EventBridgeNagScheduler;
  store: DynamoInstanceStore;
  ec2: EC2Client;
  env: Record<string, string>;
  /** Launches an instance on moto with Monitor/MonitorGroup/Name tags and lets the engine see it start. */
  launch(name: string, group?: string): Promise<InstanceRecord>;
  instanceState(instanceId: string): Promise<string | undefined>;
}

export async function buildWorld(
  moto: MotoServer,
  slack: FakeSlackApi,
  extraEnv: Record<string, string> = {},
): Promise<SlackLambdaWorld> {
  await moto.reset();
  slack.reset();
  await createTable(moto, TABLE);
  const secrets = new SecretsManagerClient(moto.clientConfig);
  const secret = await secrets.send(
    new CreateSecretCommand({
      Name: `slack-${Date.now()}`,
      SecretString: JSON.stringify({ signingSecret: SIGNING_SECRET, botToken: 'xoxb-test-token' }),
    }),
  );
  const env: Record<string, string> = {
    ...lambdaBaseEnv(TABLE),
    SLACK_SECRET_ARN: secret.ARN!,
    SLACK_API_URL: slack.apiUrl,
    ...extraEnv,
  };
  const world = await lambdaEngine(moto, TABLE);
  const { engine, scheduler, store } = world;
  const handOffs = inProcessHandOff<SlackWork>();
  const handler = await createSlackEventsHandler(env, { secrets, handOff: handOffs.handOff });
  handOffs.attach((event) => handler(event as never, {} as Context));
  const answer = (e: APIGatewayProxyEventV2) => handler(e, {} as Context) as Promise<LambdaAnswer>;
  const notify = await createChatNotifyHandler(env, { secrets });
  const ec2 = new EC2Client(moto.clientConfig);
  return {
    slack,
    events: async (e) => {
      const res = await answer(e);
      await handOffs.settled();
      return res;
    },
    answer,
    handOffs,
    notify: (e) => notify(e),
    engine,
    scheduler,
    store,
    ec2,
    env,
    launch: (name, group) => launchMonitored(ec2, world, name, group),
    async instanceState(instanceId) {
      const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      return res.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    },
  };
}

export function snsEvent(messageId: string, message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `arn:aws:sns:${REGION}:123456789012:lightsout-nags:sub`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: `arn:aws:sns:${REGION}:123456789012:lightsout-nags`,
          Subject: 'Lights Out',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://sns.example/cert.pem',
          UnsubscribeUrl: 'https://sns.example/unsub',
          MessageAttributes: {},
        },
      },
    ],
  };
}

export { startFakeSlackApi };
