/**
 * Teams in the single process while EC2 hangs (the function's half, on
 * Node 24, is test/lambda/teams/teamsFaults.e2e.test.ts): moto behind the
 * fault proxy, real Activities into the real CloudAdapter, replies captured on
 * the loopback connector. A Stop click and a command are answered while EC2
 * still holds their calls; once EC2 recovers the card is rewritten in place
 * (StopInstances reached EC2 once) and the command's answer arrives in the thread.
 * When the late part fails (the card cannot be rewritten), the clicker is told.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workloadCommands } from '../../../src/chat/core/workloadCommands.js';
import { TeamsWorkloadProgressPoster } from '../../../src/chat/teams/teamsWorkloadProgress.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { cardsOf } from '../../support/adaptiveCards.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { type CallInfo, useFaultProxy } from '../../support/faultProxy.js';
import { launchTagged } from '../../support/localProcess.js';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';
import { execute, mention } from './activities.js';
import { createTeamsWorld, type TeamsWorld } from './teamsWorld.js';

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

  it('tells the clicker when the card cannot be rewritten after a late Stop, instead of only logging it', async () => {
    // Arrange: a Stop click answered while EC2 hangs.
    teams = await createTeamsWorld(proxied(), connector);
    expect((await teams.post(mention(connector.serviceUrl, 'subscribe web'))).status).toBe(200);
    const record = await teams.launch();
    await teams.core.delivery.deliverNag(buildNagNotification(record, teams.now));
    const nag = connector.sent.at(-1)!;
    const proxy = faults.get();
    proxy.addRule({ action: ec2Calls, fault: { kind: 'hang' } });
    const res = await teams.post(stopClick(nag.id, tokenOf(nag.activity)));
    await until(() => proxy.pendingHangs() > 0);
    const sentBefore = connector.sent.length;

    // Act: EC2 recovers, but the connector refuses every in-place card update from now on.
    connector.failNext(502, 100, 'ServiceError', 'PUT');
    proxy.recover();

    // Assert: stopped once, and the clicker is told what happened and how to get a fresh card.
    expect(res.status).toBe(200);
    await until(() => connector.sent.length > sentBefore);
    const note = String(connector.sent[sentBefore]!.activity.text);
    expect(note).toMatch(new RegExp(`Stopping .*${record.instanceId}.* after `));
    expect(note).toContain('The card could not be updated (Teams answered 502)');
    expect(note).toContain(`\`status ${record.instanceId}\``);
    expect(connector.updates.filter((u) => u.id === nag.id)).toEqual([]);
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
