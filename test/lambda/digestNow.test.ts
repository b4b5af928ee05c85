/**
 * `/ec2 digest now` on Lambda, end to end on the runtime's Node: the command
 * reaches the real Slack (or Teams) function, which answers at once and
 * invokes its platform's digest function asynchronously (a loopback Lambda
 * Invoke API, since moto runs functions only in Docker); that function reads
 * the run history from DynamoDB on moto and posts the digest: to the loopback
 * Slack Web API as a message and the chart through the external upload flow,
 * or to the loopback Bot Framework connector as one Adaptive Card.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../src/aws/clients.js';
import { DynamoRunHistory } from '../../src/aws/dynamodb/runHistory.js';
import { loadConfig } from '../../src/config/index.js';
import { slackDigestPoster } from '../../src/lambda/digest.js';
import {
  buildLambdaDigest,
  type DigestPosterFactory,
  digestHandler,
} from '../../src/lambda/digestRuntime.js';
import { teamsDigestPoster } from '../../src/lambda/teamsDigest.js';
import { createTeamsMessagesHandler } from '../../src/lambda/teamsMessages.js';
import { installationAdd, mention } from '../chat/teams/activities.js';
import { OPS } from '../chat/teams/teamsIds.js';
import { adaptiveCardProblems, cardsOf } from '../support/adaptiveCards.js';
import { createTable } from '../support/dynamoTable.js';
import { useFakeBotConnector } from '../support/fakeBotConnector.js';
import { useFakeLambdaInvoke } from '../support/fakeLambdaInvoke.js';
import type { FakeSlackApi } from '../support/fakeSlackApi.js';
import { LAMBDA_REGION, lambdaBaseEnv } from '../support/lambdaEngine.js';
import { useMoto } from '../support/moto.js';
import { FORM, lambdaEvent, slashCommandBody } from '../support/slackRequests.js';
import { buildWorld, startFakeSlackApi } from './slack/lambdaHarness.js';

const TABLE = 'lightsout';
const H = 3600;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SLACK_DIGEST = 'arn:aws:lambda:us-east-1:123456789012:function:LightsOut-digest';
const TEAMS_DIGEST = 'arn:aws:lambda:us-east-1:123456789012:function:LightsOut-teams-digest';

const moto = useMoto();
const lambda = useFakeLambdaInvoke();
const connector = useFakeBotConnector();
let slack: FakeSlackApi;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
});

/** Yesterday's run of web-1: 14 h against an 8 h threshold at $4.10/h, stopped from Slack. */
async function recordRun() {
  const stoppedAt = new Date(Date.now() - 24 * H * 1000);
  await new DynamoRunHistory(dynamoDocumentClient(LAMBDA_REGION), TABLE).record({
    region: LAMBDA_REGION,
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    name: 'web-1',
    launchTime: new Date(stoppedAt.getTime() - 14 * H * 1000).toISOString(),
    stoppedAt: stoppedAt.toISOString(),
    endedBy: 'actor',
    actor: { platform: 'slack', id: 'U0ALICE', name: 'alice' },
    group: 'web',
    thresholdSeconds: 8 * H,
    runtimeSeconds: 14 * H,
    secondsBeyondThreshold: 6 * H,
    hourlyUsd: 4.1,
  });
}

/** The digest function `arn`, built as at cold start from `env`, registered with the fake Lambda. */
function deployDigest(arn: string, env: Record<string, string>, poster: DigestPosterFactory) {
  const secrets = new SecretsManagerClient(moto.clientConfig);
  const handler = digestHandler(() => buildLambdaDigest(loadConfig(env), poster, { secrets }));
  lambda.register(arn, (event) => handler(event as never));
}

describe('/ec2 digest now on Lambda', () => {
  beforeEach(() => slack.reset());

  it('Slack: the command is answered at once and the Slack digest function posts the summary and the chart', async () => {
    // Arrange
    const world = await buildWorld(moto, slack, { DIGEST_FUNCTION_ARN: SLACK_DIGEST });
    deployDigest(SLACK_DIGEST, world.env, slackDigestPoster());
    const command = (text: string) =>
      world.events(lambdaEvent(slashCommandBody(text, { responseUrl: slack.responseUrl() }), FORM));
    expect((await command('subscribe web')).statusCode).toBe(200);
    await recordRun();
    const postsBefore = slack.callsTo('chat.postMessage').length;

    // Act
    const answer = await command('digest now');
    await lambda.settled();

    // Assert: the endpoint asked the Slack digest function once, asynchronously, for this channel.
    expect(answer.statusCode).toBe(200);
    expect(JSON.stringify([answer.body, slack.calls.map((c) => c.args)])).toContain(
      'is on its way to this channel',
    );
    expect(lambda.invocations).toEqual([
      {
        functionName: SLACK_DIGEST,
        invocationType: 'Event',
        payload: { sendNow: { platform: 'slack', channelId: 'C0WEB' } },
      },
    ]);
    expect(lambda.results).toEqual([
      {
        functionName: SLACK_DIGEST,
        result: [{ channel: 'slack:C0WEB', sent: true, reason: 'asked for now' }],
      },
    ]);
    // One summary message, and one chart through the external upload flow.
    const posts = slack.callsTo('chat.postMessage').slice(postsBefore);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.channel).toBe('C0WEB');
    expect(JSON.stringify(posts[0]!.args.blocks)).toContain('$24.60');
    expect(slack.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const [upload] = [...slack.uploads.values()];
    expect(upload!.bytes!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(upload!.completed).toMatchObject({ channel_id: 'C0WEB' });
  });

  it('Teams: the mention is answered and the Teams digest function posts one card of tables, no chart', async () => {
    // Arrange
    await moto.reset();
    await createTable(moto, TABLE);
    const env = { ...lambdaBaseEnv(TABLE), TEAMS_ENABLED: 'true', DIGEST_FUNCTION_ARN: TEAMS_DIGEST };
    deployDigest(TEAMS_DIGEST, env, teamsDigestPoster);
    const teams = await createTeamsMessagesHandler(env);
    const send = async (activity: unknown) =>
      (
        (await teams({
          version: '2.0',
          rawPath: '/api/messages',
          headers: { 'content-type': 'application/json' },
          requestContext: { http: { method: 'POST', path: '/api/messages' } },
          body: JSON.stringify(activity),
          isBase64Encoded: false,
        } as never)) as APIGatewayProxyStructuredResultV2
      ).statusCode;
    expect(await send(installationAdd(connector.serviceUrl))).toBe(200);
    expect(await send(mention(connector.serviceUrl, 'subscribe web'))).toBe(200);
    await recordRun();
    connector.reset();

    // Act
    const status = await send(mention(connector.serviceUrl, 'digest now'));
    const answered = connector.sent.map((s) => String(s.activity.text ?? ''));
    await lambda.settled();

    // Assert: the answer first, then the Teams digest function's card in the channel.
    expect(status).toBe(200);
    expect(answered.join('\n')).toContain('is on its way to this channel');
    expect(lambda.invocations).toEqual([
      {
        functionName: TEAMS_DIGEST,
        invocationType: 'Event',
        payload: { sendNow: { platform: 'teams', channelId: OPS } },
      },
    ]);
    expect(lambda.results).toEqual([
      {
        functionName: TEAMS_DIGEST,
        result: [{ channel: `teams:${OPS}`, sent: true, reason: 'asked for now' }],
      },
    ]);
    const cards = connector.sent.flatMap((s) =>
      cardsOf(s.activity).map((card) => ({ card, to: s.conversationId })),
    );
    expect(cards).toHaveLength(1);
    expect(cards[0]!.to).toBe(OPS);
    expect(adaptiveCardProblems(cards[0]!.card)).toEqual([]);
    expect(JSON.stringify(cards[0]!.card)).toContain('$24.60');
    expect(JSON.stringify(cards[0]!.card)).toContain('"type":"Table"');
    expect(slack.calls).toEqual([]);
  });
});
