/**
 * Teams while EC2 hangs: moto behind the fault proxy, real Activities into
 * the real CloudAdapter, replies captured on the loopback connector. In both
 * runtimes a Stop click and a command are answered while EC2 still holds
 * their calls; once EC2 recovers the card is rewritten in place (StopInstances
 * reached EC2 once) and the command's answer arrives in the thread.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workloadCommands } from '../../../src/chat/core/workloadCommands.js';
import type { TeamsWork } from '../../../src/chat/teams/teamsLateWork.js';
import { TeamsWorkloadProgressPoster } from '../../../src/chat/teams/teamsWorkloadProgress.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createChatNotifyHandler } from '../../../src/lambda/chatNotify.js';
import { createTeamsMessagesHandler } from '../../../src/lambda/teamsMessages.js';
import { snsEvent } from '../../lambda/slack/lambdaHarness.js';
import { cardsOf } from '../../support/adaptiveCards.js';
import { createTable } from '../../support/dynamoTable.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { type CallInfo, useFaultProxy } from '../../support/faultProxy.js';
import { inProcessHandOff } from '../../support/inProcessHandOff.js';
import { lambdaBaseEnv, lambdaEngine, launchMonitored } from '../../support/lambdaEngine.js';
import { launchTagged } from '../../support/localProcess.js';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';
import { execute, installationAdd, mention } from './activities.js';
import { createTeamsWorld, OPS, type TeamsWorld } from './teamsWorld.js';

const moto = useMoto();
const faults = useFaultProxy(moto);
let connector: FakeBotConnector;
let teams: TeamsWorld | undefined;

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
  await teams?.close();
  teams = undefined;
});

const ec2Calls = (call: CallInfo) => call.service === 'ec2';

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

/** moto as seen through the fault proxy. */
const proxied = () => ({ ...moto, endpoint: faults.get().endpoint, clientConfig: faults.get().clientConfig });

const stopClick = (cardId: string, token: string) =>
  execute(connector.serviceUrl, cardId, { verb: 'lightsout.stop', data: { token, confirmed: true } });

const tokenOf = (activity: Record<string, unknown>) =>
  /"token":"([^"]+)"/.exec(JSON.stringify(cardsOf(activity)[0]))![1]!;

describe('Teams in the single process while EC2 hangs', () => {
  it('answers a Stop click at once, then stops once and rewrites the card in place', async () => {
    // Arrange
    teams = await createTeamsWorld(proxied(), connector);
    expect((await teams.post(mention(connector.serviceUrl, 'subscribe web'))).status).toBe(200);
    const record = await teams.launch();
    await teams.core.delivery.deliverNag(buildNagNotification(record, teams.now));
    const nag = connector.sent.at(-1)!;
    const proxy = faults.get();
    proxy.addRule({ action: ec2Calls, fault: { kind: 'hang' } });

    // Act: the click is answered while its EC2 call is held.
    const res = await teams.post(stopClick(nag.id, tokenOf(nag.activity)));
    await until(() => proxy.pendingHangs() > 0);
    const updatedWhileHung = connector.updates.length;
    proxy.recover();

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: expect.stringMatching(/^Stopping i-\w+… \(asked by Alice Example\)/),
    });
    expect(updatedWhileHung).toBe(0);
    await until(() => connector.updates.some((u) => u.id === nag.id));
    expect(JSON.stringify(connector.updates.find((u) => u.id === nag.id)!.activity)).toContain(
      'Stopped by Alice Example',
    );
    expect(proxy.count('StopInstances').forwarded).toBe(1);
  });

  it('answers a command "Working on it…" while EC2 hangs, and the answer follows in the thread', async () => {
    // Arrange: `workload show` lists the workload's instances from EC2.
    const workloads = workloadWorld(proxied(), { specs: [threeTierSpec()] });
    teams = await createTeamsWorld(
      proxied(),
      connector,
      {},
      {
        extensions: (gateway) => [
          workloadCommands({
            service: workloads.service,
            admins: [],
            posters: [new TeamsWorkloadProgressPoster(gateway)],
            clock: workloads.time.now,
          }),
        ],
      },
    );
    const [web] = await launchTagged(workloads.ec2, { Environment: 'ENV001', Role: 'web' });
    const proxy = faults.get();
    proxy.addRule({ action: ec2Calls, fault: { kind: 'hang' } });
    const asked = mention(connector.serviceUrl, 'workload show shop');

    // Act
    const res = await teams.post(asked);
    const sentAtAnswer = connector.sent.map((s) => String(s.activity.text));
    const hungAtAnswer = proxy.pendingHangs();
    proxy.recover();

    // Assert
    expect(res.status).toBe(200);
    expect(hungAtAnswer).toBeGreaterThan(0);
    expect(sentAtAnswer).toEqual([expect.stringContaining('Working on it')]);
    await until(() => connector.sent.length > 1);
    const answer = connector.sent[1]!;
    expect(answer.conversationId).toBe(asked.conversation.id);
    expect(JSON.stringify(answer.activity)).toContain(web!.InstanceId!);
  });
});

describe('Teams on Lambda while EC2 hangs', () => {
  it('answers a Stop click with an interim message, hands it on, and rewrites the card after', async () => {
    // Arrange
    const env = { ...lambdaBaseEnv('lightsout'), TEAMS_ENABLED: 'true' };
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
      snsEvent(
        'nag-1',
        buildNagNotification(record, new Date(Date.parse(record.launchTime) + 13 * 3600_000)),
      ),
    );
    const nag = connector.sent.find((s) => s.conversationId === OPS)!;
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
    expect(handOffs.sent).toMatchObject([{ kind: 'teamsClick' }]);
    expect(updatedWhileHung).toBe(0);
    expect(JSON.stringify(connector.updates.find((u) => u.id === nag.id)?.activity)).toContain(
      'Stopped by Alice Example',
    );
    expect(proxy.count('StopInstances').forwarded).toBe(1);
  });
});
