/**
 * The Teams function while EC2 hangs, on Node 24 as deployed (the single
 * process's half is test/chat/teams/teamsFaults.e2e.test.ts): moto behind the
 * fault proxy, real Activities into the real CloudAdapter, replies captured on
 * the loopback connector. A Stop click is answered with an interim message
 * while EC2 holds its call and handed on; once EC2 recovers the card is
 * rewritten in place and StopInstances reached EC2 once. When the handed-off
 * work fails (DynamoDB throttling), the clicker is told what failed and what to do.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TeamsWork } from '../../../src/chat/teams/teamsLateWork.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createChatNotifyHandler } from '../../../src/lambda/chatNotify.js';
import { createTeamsMessagesHandler } from '../../../src/lambda/teamsMessages.js';
import { execute, installationAdd, mention } from '../../chat/teams/activities.js';
import { OPS } from '../../chat/teams/teamsIds.js';
import { cardsOf } from '../../support/adaptiveCards.js';
import { createTable } from '../../support/dynamoTable.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { type CallInfo, useFaultProxy } from '../../support/faultProxy.js';
import { inProcessHandOff } from '../../support/inProcessHandOff.js';
import { lambdaBaseEnv, lambdaEngine, launchMonitored } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { snsEvent } from '../slack/lambdaHarness.js';

const moto = useMoto();
const faults = useFaultProxy(moto);
let connector: FakeBotConnector;

beforeAll(async () => {
  connector = await startFakeBotConnector();
});
afterAll(() => connector.close());
beforeEach(async () => {
  await moto.reset();
  faults.reset();
  connector.reset();
});
afterEach(async () => {
  faults.get().recover();
});

const ec2Calls = (call: CallInfo) => call.service === 'ec2';

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

const stopClick = (cardId: string, token: string) =>
  execute(connector.serviceUrl, cardId, { verb: 'lightsout.stop', data: { token, confirmed: true } });

const tokenOf = (activity: Record<string, unknown>) =>
  /"token":"([^"]+)"/.exec(JSON.stringify(cardsOf(activity)[0]))![1]!;

/** The Teams and chatNotify functions on moto, a team subscribed to `web`, and a nag posted there. */
async function nagged(extraEnv: Record<string, string> = {}) {
  const env = { ...lambdaBaseEnv('lightsout'), TEAMS_ENABLED: 'true', ...extraEnv };
  await createTable(moto, env.TABLE_NAME);
  const handOffs = inProcessHandOff<TeamsWork>();
  const handler = await createTeamsMessagesHandler(env, { handOff: handOffs.handOff });
  handOffs.attach((event) => handler(event));
  const post = async (activity: unknown) =>
    (await handler({
      version: '2.0',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST' } },
      body: JSON.stringify(activity),
      isBase64Encoded: false,
    })) as APIGatewayProxyStructuredResultV2;
  const notify = await createChatNotifyHandler(env);
  const engine = await lambdaEngine(moto, env.TABLE_NAME);
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  const { instanceId } = await launchMonitored(new EC2Client(moto.clientConfig), engine, 'web-1');
  await post(installationAdd(connector.serviceUrl));
  await post(mention(connector.serviceUrl, 'subscribe web'));
  await handOffs.settled();
  const record = (await engine.store.get({ region: 'us-east-1', instanceId }))!;
  connector.reset();
  await notify(
    snsEvent('nag-1', buildNagNotification(record, new Date(Date.parse(record.launchTime) + 13 * 3600_000))),
  );
  const nag = connector.sent.find((s) => s.conversationId === OPS)!;
  return { post, handOffs, instanceId, nag };
}

describe('Teams on Lambda while AWS fails', () => {
  it('answers a Stop click with an interim message, hands it on, and rewrites the card after', async () => {
    // Arrange
    const { post, handOffs, instanceId, nag } = await nagged();
    const proxy = faults.get();
    proxy.addRule({ action: ec2Calls, fault: { kind: 'hang' } });

    // Act
    const res = await post(stopClick(nag.id, tokenOf(nag.activity)));
    await until(() => proxy.pendingHangs() > 0);
    const updatedWhileHung = connector.updates.length;
    proxy.recover();
    await handOffs.settled();

    // Assert
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(String(res.body))).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringContaining(`Stopping ${instanceId}…`),
    });
    // The hand-off carries when the click was answered: CHAT_ACTION_DEADLINE counts from then.
    expect(handOffs.sent).toMatchObject([{ kind: 'teamsClick', acknowledgedAt: expect.any(Number) }]);
    expect(updatedWhileHung).toBe(0);
    expect(JSON.stringify(connector.updates.find((u) => u.id === nag.id)?.activity)).toContain(
      'Stopped by Alice Example',
    );
    expect(proxy.count('StopInstances').forwarded).toBe(1);
  });

  it('tries a handed-off Stop again when EC2 throttles past the SDK retries, and stops exactly once', async () => {
    // Arrange: StopInstances is throttled three times (every SDK attempt of the first try).
    const { post, handOffs, nag } = await nagged();
    const proxy = faults.get();
    proxy.resetCounters();
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'throttle' }, times: 3 });
    const sentBefore = connector.sent.length;

    // Act
    const res = await post(stopClick(nag.id, tokenOf(nag.activity)));
    await handOffs.settled();

    // Assert: the hand-off's work tried again after the SDK gave up, stopped once, and rewrote the card.
    expect(res.statusCode).toBe(200);
    expect(JSON.stringify(connector.updates.find((u) => u.id === nag.id)?.activity)).toContain(
      'Stopped by Alice Example',
    );
    expect(proxy.count('StopInstances')).toMatchObject({ throttled: 3, forwarded: 1 });
    const notes = connector.sent.slice(sentBefore).map((s) => String(s.activity.text ?? ''));
    expect(notes.filter((t) => t.startsWith('Could not'))).toEqual([]);
  });

  it('tells the clicker when the handed-off click still fails at CHAT_ACTION_DEADLINE, instead of only logging it', async () => {
    // Arrange: DynamoDB throttles every call once the nag is out; the click tries for 1 s.
    const { post, handOffs, instanceId, nag } = await nagged({ CHAT_ACTION_DEADLINE: '1s' });
    const proxy = faults.get();
    proxy.addRule({ action: (call) => call.service === 'dynamodb', fault: { kind: 'throttle' } });
    const sentBefore = connector.sent.length;

    // Act
    const res = await post(stopClick(nag.id, tokenOf(nag.activity)));
    await handOffs.settled();
    proxy.recover();

    // Assert: the interim answer, then a note to the clicker saying what failed and what to do.
    expect(res.statusCode).toBe(200);
    const notes = connector.sent.slice(sentBefore).map((s) => String(s.activity.text));
    expect(notes).toEqual([
      expect.stringMatching(new RegExp(`Could not stop .*${instanceId}.*AWS is busy or throttling`)),
    ]);
    expect(notes[0]).toContain('try again in a minute');
    expect(connector.updates).toEqual([]);
    expect(proxy.count('StopInstances').forwarded).toBe(0);
  });
});
