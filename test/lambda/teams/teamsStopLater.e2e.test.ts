/**
 * Stopping later over Teams on Lambda, end to end on moto: `stop … --in` and
 * `--when-idle` as Activities into the real teamsMessages handler, the stop
 * schedules in EventBridge Scheduler (listed on moto), the consent function
 * fired with the schedule's own input at its time, StopInstances counted by
 * the proxy, and the card updated on the loopback connector from the outbox's
 * events through chatNotify.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TeamsWork } from '../../../src/chat/teams/teamsLateWork.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createChatNotifyHandler } from '../../../src/lambda/chatNotify.js';
import { createTeamsMessagesHandler } from '../../../src/lambda/teamsMessages.js';
import { execute, installationAdd, mention } from '../../chat/teams/activities.js';
import { createTable } from '../../support/dynamoTable.js';
import { useFakeBotConnector } from '../../support/fakeBotConnector.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { inProcessHandOff } from '../../support/inProcessHandOff.js';
import { lambdaBaseEnv, lambdaEngine, launchMonitored } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { CONSENT_ENV, consentLambda } from '../consentLambda.js';
import { snsEvent } from '../slack/lambdaHarness.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
const connector = useFakeBotConnector();
const env = { ...lambdaBaseEnv('lightsout'), ...CONSENT_ENV, TEAMS_ENABLED: 'true' };

const urlEvent = (body: unknown) => ({
  version: '2.0',
  rawPath: '/api/messages',
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path: '/api/messages' } },
  body: JSON.stringify(body),
  isBase64Encoded: false,
});

/**
 * Teams installed and subscribed to `web`, with render-1's nag posted. Work
 * the function hands on (clicks, commands that change something) runs in
 * process as Lambda's asynchronous invocation would, and each request here
 * waits for it.
 */
async function nagged() {
  const handOffs = inProcessHandOff<TeamsWork>();
  const handler = await createTeamsMessagesHandler(env, { handOff: handOffs.handOff });
  handOffs.attach((event) => handler(event));
  const teams = async (event: unknown) => {
    const res = await handler(event);
    await handOffs.settled();
    return res;
  };
  const notify = await createChatNotifyHandler(env);
  const world = await lambdaEngine(moto, env.TABLE_NAME);
  const record = await launchMonitored(new EC2Client(moto.clientConfig), world, 'render-1');
  await teams(urlEvent(installationAdd(connector.serviceUrl)));
  await teams(urlEvent(mention(connector.serviceUrl, 'subscribe web')));
  await notify(snsEvent('sns-nag-1', buildNagNotification(record, new Date())));
  const nag = connector.sent.at(-1)!;
  /** The bot's answer to `text`, as the connector received it. */
  const say = async (text: string) => {
    const before = connector.sent.length;
    await teams(urlEvent(mention(connector.serviceUrl, text)));
    return connector.sent
      .slice(before)
      .map((s) => JSON.stringify(s.activity))
      .join('\n');
  };
  /** Stop on the nag's card, confirmed, as Teams sends it. */
  const clickStop = async () => {
    const token = /"token":"([^"]+)"/.exec(JSON.stringify(nag.activity))![1]!;
    await teams(
      urlEvent(
        execute(connector.serviceUrl, nag.id, { verb: 'lightsout.stop', data: { token, confirmed: true } }),
      ),
    );
  };
  /** A card button (`verb`) on the nag, with `inputs` merged into its data as Teams does. */
  const clickCard = async (verb: string, inputs: Record<string, unknown> = {}) => {
    const token = /"token":"([^"]+)"/.exec(JSON.stringify(nag.activity))![1]!;
    await teams(urlEvent(execute(connector.serviceUrl, nag.id, { verb, data: { token, ...inputs } })));
  };
  return { world, record, notify, nag, say, clickStop, clickCard, handOffs };
}

describe('stop later over Teams on Lambda', () => {
  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
    await createTable(moto, env.TABLE_NAME);
  });

  it('stop --in 2h: scheduled on EventBridge, fired once, stopped once, the card says who consented', async () => {
    // Arrange
    const { world, record, notify, nag, say } = await nagged();
    const consent = consentLambda(moto, env);

    // Act
    const answer = await say('stop render-1 --in 2h');
    const schedules = await consent.schedulesOf(record.instanceId);
    await consent.deliverEvents(notify);
    const scheduledCard = JSON.stringify(connector.updates.filter((u) => u.id === nag.id).at(-1)?.activity);
    const given = (await world.store.get(record))!.stopConsent;
    const stopAt = Date.parse(given?.kind === 'at' ? given.at : '');
    const fired = await consent.fireUntil(new Date(stopAt + 60_000));
    await consent.observeStopped(world.engine, record);
    await consent.deliverEvents(notify);

    // Assert
    expect(answer).toContain('Stop scheduled for');
    expect(schedules.map((n) => n.slice(0, 5)).sort()).toEqual(['stop-', 'warn-']);
    expect(scheduledCard).toContain('Stop scheduled for');
    expect(fired.map((f) => f.name.slice(0, 5))).toEqual(['warn-', 'stop-']);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    const stopped = await world.store.get(record);
    expect(stopped?.lastStop?.consent).toMatchObject({ kind: 'at', by: { platform: 'teams' } });
    expect(JSON.stringify(connector.updates.filter((u) => u.id === nag.id).at(-1)?.activity)).toMatch(
      /Stopped by Alice Example/,
    );
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
  });

  it('the card from chatNotify offers Stop at…; picking in 2h schedules it and Cancel stop removes it', async () => {
    // Arrange
    const { world, record, notify, nag, clickCard, handOffs } = await nagged();
    const consent = consentLambda(moto, env);
    const offered = JSON.stringify(nag.activity);

    // Act
    await clickCard('lightsout.stopAt', { stopAtChoice: 'in-2h' });
    const scheduled = await consent.schedulesOf(record.instanceId);
    await consent.deliverEvents(notify);
    const card = JSON.stringify(connector.updates.filter((u) => u.id === nag.id).at(-1)?.activity);
    await clickCard('lightsout.cancelStop');

    // Assert
    expect(handOffs.sent.map((w) => w.kind)).toContain('teamsClick');
    expect(offered).toContain('lightsout.stopAt');
    expect(offered).toContain('lightsout.stopWhenIdle');
    expect(scheduled.map((n) => n.slice(0, 5)).sort()).toEqual(['stop-', 'warn-']);
    expect(card).toContain('lightsout.cancelStop');
    expect((await world.store.get(record))?.stopConsent).toBeUndefined();
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(0);
  });

  it('chatNotify posts the nag and rewrites it through a consent and its cancel without one Scheduler call: its role holds no scheduler grant', async () => {
    // Arrange
    const { record, notify, say } = await nagged();
    const consent = consentLambda(moto, env);
    const schedulerCalls: string[] = [];
    const counted = async (event: Parameters<typeof notify>[0]) => {
      const from = proxy.get().calls().length;
      await notify(event);
      for (const c of proxy.get().calls().slice(from))
        if (c.service === 'scheduler') schedulerCalls.push(c.action);
    };
    const updatesBefore = connector.updates.length;

    // Act
    await counted(snsEvent('sns-nag-2', buildNagNotification(record, new Date())));
    await say('stop render-1 --in 2h');
    await consent.deliverEvents(counted);
    await say('stop render-1 --cancel');
    await consent.deliverEvents(counted);

    // Assert
    expect(connector.updates.length).toBeGreaterThan(updatesBefore);
    expect(schedulerCalls).toEqual([]);
  });

  it('a Stop click on the card deletes the stop schedules at once; nothing fires later', async () => {
    // Arrange
    const { record, say, clickStop } = await nagged();
    const consent = consentLambda(moto, env);
    await say('stop render-1 --in 3h');
    const scheduled = await consent.schedulesOf(record.instanceId);

    // Act
    await clickStop();

    // Assert
    expect(scheduled).toHaveLength(2);
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(await consent.fireUntil(new Date(Date.now() + 4 * 3600_000))).toEqual([]);
  });

  it('stop --when-idle: the consent is recorded without reading CloudWatch, and the reply says when it is checked', async () => {
    // Arrange
    const { world, record, say } = await nagged();

    // Act
    const answer = await say('stop render-1 --when-idle');

    // Assert
    expect(answer).toContain('Stop when idle for 30m');
    expect(answer).toContain('The first check comes within 5m');
    expect((await world.store.get(record))?.stopConsent).toMatchObject({
      kind: 'idle',
      forSeconds: 30 * 60,
      by: { platform: 'teams' },
    });
    expect(proxy.get().count('GetMetricData').forwarded).toBe(0);
  });
});
