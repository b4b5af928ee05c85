/**
 * The Lambda path: Teams Activities into the `teamsMessages` handler as
 * Function URL events, nags from SNS through `chatNotify`, DynamoDB, Secrets
 * Manager, EventBridge Scheduler and EC2 on moto, and the loopback connector.
 */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../../src/aws/clients.js';
import { DynamoChatInstallationStore } from '../../../src/aws/dynamodb/chatInstallationStore.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createChatNotifyHandler } from '../../../src/lambda/chatNotify.js';
import { createTeamsMessagesHandler } from '../../../src/lambda/teamsMessages.js';
import { execute, installationAdd, mention } from '../../chat/teams/activities.js';
import { OPS, TEAM, TENANT } from '../../chat/teams/teamsIds.js';
import { adaptiveCardProblems, cardsOf } from '../../support/adaptiveCards.js';
import { entraClaims, startTokenKeys } from '../../support/botTokens.js';
import { createTable } from '../../support/dynamoTable.js';
import { useFakeBotConnector } from '../../support/fakeBotConnector.js';
import { LAMBDA_REGION, lambdaBaseEnv, lambdaEngine, launchMonitored } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { snsEvent } from '../slack/lambdaHarness.js';

const REGION = LAMBDA_REGION;
const moto = useMoto();
const connector = useFakeBotConnector();

const baseEnv = lambdaBaseEnv('lightsout');

/** A Function URL event carrying `body`, as Lambda hands it over. */
function urlEvent(body: unknown, headers: Record<string, string> = {}, base64 = false) {
  const text = JSON.stringify(body);
  return {
    version: '2.0',
    rawPath: '/api/messages',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: { http: { method: 'POST', path: '/api/messages' } },
    body: base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: base64,
  };
}

describe('Teams on Lambda', () => {
  beforeEach(async () => {
    await moto.reset();
    await createTable(moto, baseEnv.TABLE_NAME);
  });

  it('installs, subscribes, nags from SNS and stops from the card, answering the click in the HTTP response', async () => {
    // Arrange
    const env = { ...baseEnv, TEAMS_ENABLED: 'true' };
    const teams = await createTeamsMessagesHandler(env);
    const notify = await createChatNotifyHandler(env);
    const world = await lambdaEngine(moto, baseEnv.TABLE_NAME);
    const { store } = world;
    const ec2 = new EC2Client(moto.clientConfig);
    const { instanceId } = await launchMonitored(ec2, world, 'web-1');

    // Act 1: install (base64 body, as Function URLs may send) and subscribe.
    const installed = (await teams(
      urlEvent(installationAdd(connector.serviceUrl), {}, true),
    )) as APIGatewayProxyStructuredResultV2;
    const subscribed = (await teams(
      urlEvent(mention(connector.serviceUrl, 'subscribe web')),
    )) as APIGatewayProxyStructuredResultV2;

    // Assert 1
    expect([installed.statusCode, subscribed.statusCode]).toEqual([200, 200]);
    const installations = new DynamoChatInstallationStore(dynamoDocumentClient(REGION), baseEnv.TABLE_NAME);
    expect((await installations.get('teams', TEAM))?.channel.serviceUrl).toBe(connector.serviceUrl);
    expect(String(connector.sent.at(-1)!.activity.text)).toMatch(/now receives nags for group `web`/);

    // Act 2: the engine's nag arrives over SNS.
    const record = (await store.get({ region: REGION, instanceId }))!;
    connector.reset();
    await notify(
      snsEvent(
        'sns-nag-1',
        buildNagNotification(record, new Date(Date.parse(record.launchTime) + 13 * 3600_000)),
      ),
    );

    // Assert 2
    expect(connector.sent).toHaveLength(1);
    expect(connector.sent[0]!.conversationId).toBe(OPS);
    const card = cardsOf(connector.sent[0]!.activity)[0];
    expect(adaptiveCardProblems(card)).toEqual([]);
    const token = /"token":"([^"]+)"/.exec(JSON.stringify(card))![1]!;

    // Act 3: confirmed Stop, through the Lambda.
    const clicked = (await teams(
      urlEvent(
        execute(connector.serviceUrl, connector.sent[0]!.id, {
          verb: 'lightsout.stop',
          data: { token, confirmed: true },
        }),
      ),
    )) as APIGatewayProxyStructuredResultV2;

    // Assert 3: the invoke response travels back as the HTTP response.
    expect(clicked.statusCode).toBe(200);
    const body = JSON.parse(String(clicked.body)) as { type: string; value: unknown };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(adaptiveCardProblems(body.value)).toEqual([]);
    expect(JSON.stringify(body.value)).toMatch(/Stopped by Alice Example after/);
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0]?.State?.Name;
    expect(['stopping', 'stopped']).toContain(state);
    expect(connector.updates.map((u) => u.id)).toContain(connector.sent[0]!.id);
  });

  it('with an app id configured, rejects a request without a Bot Framework token before any handler runs', async () => {
    // Arrange
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: 'lightsout-teams',
        SecretString: JSON.stringify({ appPassword: 'test-only' }),
      }),
    );
    const teams = await createTeamsMessagesHandler({
      ...baseEnv,
      MicrosoftAppId: '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b',
      MicrosoftAppTenantId: '9a7b1c2d-3e4f-5a6b-0f8e-6b1c3a2d4e5f',
      TEAMS_SECRET_ARN: secret.ARN!,
    });

    // Act
    const res = (await teams(
      urlEvent(mention(connector.serviceUrl, 'subscribe web')),
    )) as APIGatewayProxyStructuredResultV2;
    const forged = (await teams(
      urlEvent(mention(connector.serviceUrl, 'subscribe web'), { authorization: 'Bearer not-a-real-token' }),
    )) as APIGatewayProxyStructuredResultV2;

    // Assert
    expect(res.statusCode).toBe(401);
    expect(forged.statusCode).toBe(401);
    expect(connector.sent).toEqual([]);
  });

  it('with a client id, checks each token and answers with its own client-credentials token', async () => {
    // Arrange: Entra's keys and token endpoint on loopback; the client secret in Secrets Manager.
    const keys = await startTokenKeys(TENANT);
    const clientId = '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b';
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: 'lightsout-teams',
        SecretString: JSON.stringify({ clientSecret: 'test-only' }),
      }),
    );
    const teams = await createTeamsMessagesHandler({
      ...baseEnv,
      connections__serviceConnection__settings__clientId: clientId,
      connections__serviceConnection__settings__tenantId: TENANT,
      connections__serviceConnection__settings__authorityEndpoint: keys.authority,
      TEAMS_SECRET_ARN: secret.ARN!,
    });
    const token = keys.sign({ ...entraClaims(TENANT, clientId), serviceurl: connector.serviceUrl });

    try {
      // Act
      const subscribed = (await teams(
        urlEvent(mention(connector.serviceUrl, 'subscribe web'), { authorization: `Bearer ${token}` }),
      )) as APIGatewayProxyStructuredResultV2;

      // Assert
      expect(subscribed.statusCode).toBe(200);
      expect(String(connector.sent.at(-1)!.activity.text)).toMatch(/now receives nags for group `web`/);
      expect(connector.sent.at(-1)!.authorization).toBe(`Bearer ${keys.issuedToken}`);
      expect(keys.tokenRequests.map((r) => Object.fromEntries(r))).toEqual([
        {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: 'test-only',
          scope: 'https://api.botframework.com/.default',
        },
      ]);
    } finally {
      await keys.close();
    }
  });

  it('fails the cold start with the variable named when the app id is set but no secret is', async () => {
    await expect(
      createTeamsMessagesHandler({
        ...baseEnv,
        MicrosoftAppId: '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b',
        MicrosoftAppTenantId: '9a7b1c2d-3e4f-5a6b-0f8e-6b1c3a2d4e5f',
        MicrosoftAppPassword: 'plain-env',
      }),
    ).rejects.toThrow(/TEAMS_SECRET_ARN is required on Lambda/);
  });

  it('refuses a managed-identity bot at cold start, naming the setting and what works instead', async () => {
    // Act
    const coldStart = createTeamsMessagesHandler({
      ...baseEnv,
      MicrosoftAppId: '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b',
      MicrosoftAppType: 'UserAssignedMSI',
    });

    // Assert
    await expect(coldStart).rejects.toThrow(
      /MicrosoftAppType \(or MICROSOFT_APP_TYPE\) UserAssignedMSI is not supported on Lambda.*SingleTenant.*TEAMS_SECRET_ARN/,
    );
  });

  it('in a Teams-only deployment never loads the Slack wiring', async () => {
    // Arrange: a Slack loader that fails if it is ever called.
    const slack = () => Promise.reject(new Error('the Slack wiring was loaded'));

    // Act
    const built = Promise.all([
      createTeamsMessagesHandler({ ...baseEnv, TEAMS_ENABLED: 'true' }, { slack }),
      createChatNotifyHandler({ ...baseEnv, TEAMS_ENABLED: 'true' }, { slack }),
    ]);

    // Assert
    await expect(built).resolves.toHaveLength(2);
  });

  it('in a Slack-only deployment, chatNotify never loads the Teams wiring', async () => {
    // Arrange
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: 'lightsout-slack',
        SecretString: JSON.stringify({ signingSecret: 'test-only', botToken: 'xoxb-test-only' }),
      }),
    );
    const teams = () => Promise.reject(new Error('the Teams wiring was loaded'));

    // Act
    const built = createChatNotifyHandler({ ...baseEnv, SLACK_SECRET_ARN: secret.ARN! }, { teams });

    // Assert
    await expect(built).resolves.toBeTypeOf('function');
  });

  it('answers a request that is not an HTTP event with 400', async () => {
    const teams = await createTeamsMessagesHandler({ ...baseEnv, TEAMS_ENABLED: 'true' });

    const res = (await teams({ Records: [] })) as APIGatewayProxyStructuredResultV2;

    expect(res.statusCode).toBe(400);
  });
});
