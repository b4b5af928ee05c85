/**
 * Stopping later over Slack on Lambda, end to end on moto: `/ec2 stop … --in`
 * and `--when-idle` through the real Slack function, the stop schedules in
 * EventBridge Scheduler (listed on moto), the consent function fired with the
 * schedule's own input on a clock set to its time, StopInstances counted by
 * the proxy, and the nag message updated from the outbox's events through
 * chatNotify, as the table's stream and the events topic deliver them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import { CloudWatchData } from '../../support/cloudWatchData.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { useMoto } from '../../support/moto.js';
import { blockActionBody, FORM, lambdaEvent, slashCommandBody } from '../../support/slackRequests.js';
import { CONSENT_ENV, consentLambda } from '../consentLambda.js';
import { buildWorld, type SlackLambdaWorld, snsEvent, startFakeSlackApi } from './lambdaHarness.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
let slack: FakeSlackApi;
let world: SlackLambdaWorld;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  world = await buildWorld(moto, slack, CONSENT_ENV);
  proxy.reset();
  await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
});

const textOf = (v: unknown) => JSON.stringify(v);
type Block = { type: string; block_id?: string; elements?: { action_id?: string }[] };

/**
 * A consent command's answer. It changes the run, so on Lambda it is handed
 * on before it starts: Slack's acknowledgement says it is being worked on,
 * and the answer (the truth, once the schedule exists) goes to response_url.
 */
async function slashAnswers(text: string): Promise<{ ack: string; answer: string }> {
  const before = slack.callsTo('response_url/r1').length;
  const res = await world.events(
    lambdaEvent(slashCommandBody(text, { responseUrl: slack.responseUrl() }), FORM),
  );
  const late = slack.callsTo('response_url/r1').slice(before).at(-1);
  return { ack: res.body ?? '', answer: late ? textOf(late.args) : '' };
}
const slash = async (text: string) => (await slashAnswers(text)).answer;

async function nagged(name: string) {
  const record = await world.launch(name);
  await world.notify(snsEvent(`sns-${name}`, buildNagNotification({ ...record, nagCount: 1 }, new Date())));
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const token = (post.args.blocks as { type: string; block_id?: string }[]).find((b) => b.type === 'actions')!
    .block_id!;
  return { record, token, ts: (await world.store.get(record))!.chatRefs[0]!.messageId };
}

describe('stop later over Slack on Lambda', () => {
  it('stop --in 2h: scheduled on EventBridge, fired once, stopped once, message says who consented', async () => {
    // Arrange
    const { record } = await nagged('render-1');
    const consent = consentLambda(moto, world.env);

    // Act
    const { ack, answer } = await slashAnswers('stop render-1 --in 2h');
    const schedules = await consent.schedulesOf(record.instanceId);
    await consent.deliverEvents(world.notify);
    const scheduledMessage = textOf(slack.callsTo('chat.update').at(-1)?.args.blocks);
    const given = (await world.store.get(record))!.stopConsent;
    const stopAt = Date.parse(given?.kind === 'at' ? given.at : '');
    const fired = await consent.fireUntil(new Date(stopAt + 60_000));
    const again = await consent.fireUntil(new Date(stopAt + 3600_000));
    await consent.observeStopped(world.engine, record);
    await consent.deliverEvents(world.notify);

    // Assert
    expect(ack).toContain('Working on it');
    expect(world.handOffs.sent.map((w) => w.kind)).toContain('command');
    expect(answer).toContain('Stop scheduled for');
    expect(answer).toContain('@alice');
    expect(schedules.map((n) => n.slice(0, 5)).sort()).toEqual(['stop-', 'warn-']);
    expect(scheduledMessage).toContain('Stop scheduled for');
    expect(fired.map((f) => f.name.slice(0, 5))).toEqual(['warn-', 'stop-']);
    expect(again).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(await world.instanceState(record.instanceId)).toMatch(/stopping|stopped/);
    expect((await world.store.get(record))?.lastStop).toMatchObject({
      by: { platform: 'slack', id: 'U0ALICE' },
      consent: { kind: 'at', by: { platform: 'slack', id: 'U0ALICE' } },
    });
    expect(textOf(slack.callsTo('chat.update').at(-1)?.args.blocks)).toContain('Stopped by <@U0ALICE>');
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
  });

  it('the nag controls on Lambda: Stop at… schedules, +1h under the warning moves it, Cancel removes it', async () => {
    // Arrange: chatNotify posts the nag; the clicks reach slackEvents and are handed off, as deployed.
    const { record, token, ts } = await nagged('render-6');
    const consent = consentLambda(moto, world.env);
    const nag = slack.callsTo('chat.postMessage').at(-1)!;
    const offered = (nag.args.blocks as Block[]).flatMap((b) => b.elements?.map((e) => e.action_id) ?? []);
    const click = (actionId: string, extra: Partial<Parameters<typeof blockActionBody>[0]> = {}) =>
      world.events(
        lambdaEvent(
          blockActionBody({
            actionId,
            blockId: token,
            messageTs: ts,
            responseUrl: slack.responseUrl(),
            actionTs: `${Math.random()}`,
            ...extra,
          }),
          FORM,
        ),
      );

    // Act
    await click('lightsout.stopAt', { selected: 'in-2h' });
    const given = (await world.store.get(record))!.stopConsent;
    const stopAt = Date.parse(given?.kind === 'at' ? given.at : '');
    const scheduled = await consent.schedulesOf(record.instanceId);
    await consent.deliverEvents(world.notify);
    const withCancel = textOf(slack.callsTo('chat.update').at(-1)?.args.blocks);
    const warned = await consent.fireUntil(new Date(stopAt - 10 * 60_000));
    await consent.deliverEvents(world.notify);
    const warning = slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === ts)!;
    const warningActions = (warning.args.blocks as Block[]).find((b) => b.type === 'actions')!;
    await click('lightsout.postponeStop', {
      blockId: warningActions.block_id!,
      messageTs: '1700000000.999999',
      value: 'warning',
      user: 'U0BO',
    });
    const moved = (await world.store.get(record))!.stopConsent;
    const movedSchedules = await consent.schedulesOf(record.instanceId);
    await click('lightsout.cancelStop');
    const fired = await consent.fireUntil(new Date(stopAt + 3 * 3600_000));

    // Assert
    expect(offered).toEqual(expect.arrayContaining(['lightsout.stopAt', 'lightsout.stopWhenIdle']));
    expect(scheduled.map((n) => n.slice(0, 5)).sort()).toEqual(['stop-', 'warn-']);
    expect(withCancel).toContain('lightsout.cancelStop');
    expect(warned.map((f) => f.name.slice(0, 5))).toEqual(['warn-']);
    expect(warningActions.elements!.map((e) => e.action_id)).toEqual([
      'lightsout.cancelStop',
      'lightsout.postponeStop',
    ]);
    expect(moved).toMatchObject({ kind: 'at', at: new Date(stopAt + 3600_000).toISOString() });
    expect(movedSchedules.filter((n) => n.startsWith('stop-'))).toHaveLength(1);
    expect(movedSchedules.join()).not.toContain(scheduled.find((n) => n.startsWith('stop-')));
    expect((await world.store.get(record))?.stopConsent).toBeUndefined();
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
    expect(fired).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(0);
  });

  it('Stop when idle on the nag gives the idle consent through the Lambda hand-off', async () => {
    // Arrange
    const { record, token, ts } = await nagged('render-7');

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stopWhenIdle',
          blockId: token,
          messageTs: ts,
          responseUrl: slack.responseUrl(),
        }),
        FORM,
      ),
    );

    // Assert
    expect(world.handOffs.sent.at(-1)).toMatchObject({ kind: 'click', action: 'stop-when-idle' });
    expect((await world.store.get(record))?.stopConsent).toMatchObject({
      kind: 'idle',
      forSeconds: 30 * 60,
      by: { platform: 'slack', id: 'U0ALICE' },
    });
  });

  it('a Stop click before the time deletes the stop schedules at once; nothing fires later', async () => {
    // Arrange
    const { record, token, ts } = await nagged('render-2');
    const consent = consentLambda(moto, world.env);
    await slash('stop render-2 --at 23:59');
    const scheduled = await consent.schedulesOf(record.instanceId);

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: ts,
          responseUrl: slack.responseUrl(),
        }),
        FORM,
      ),
    );

    // Assert
    expect(scheduled).toHaveLength(2);
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(await consent.fireUntil(new Date(Date.now() + 25 * 3600_000))).toEqual([]);
  });

  it('a Stop click on a run without a consent looks for no stop schedules (no ListSchedules for them)', async () => {
    // Arrange
    const { record, token, ts } = await nagged('render-4');
    const consent = consentLambda(moto, world.env);
    proxy.get().resetCounters();

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: ts,
          responseUrl: slack.responseUrl(),
        }),
        FORM,
      ),
    );

    // Assert
    const lists = proxy.get().calls('GET /schedules');
    const stopLists = lists.filter((c) => /^(stop|warn)-/.test(c.params.NamePrefix ?? ''));
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(stopLists).toEqual([]);
    // The nag schedules are still looked up and removed: the log does see listings.
    expect(lists.length).toBeGreaterThan(0);
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
  });

  it('a schedule Scheduler refuses is reported to the asker, and no consent is left behind', async () => {
    // Arrange
    const { record } = await nagged('render-3');
    const consent = consentLambda(moto, world.env);
    proxy.get().addRule({ action: /^POST \/schedules\/stop-/, fault: { kind: 'error', status: 500 } });

    // Act
    const answer = await slash('stop render-3 --in 2h');
    proxy.get().recover();

    // Assert
    expect(answer).toContain('Not scheduled');
    expect(answer).not.toContain('Stop scheduled for');
    expect((await world.store.get(record))?.stopConsent).toBeUndefined();
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
  });

  it('stop --when-idle: consented without reading CloudWatch; the idle check warns, stops once, the message says who', async () => {
    // Arrange: render-4 idles (CPU, network, GPU) from an hour ago until well past the check times.
    const { record } = await nagged('render-4');
    const consent = consentLambda(moto, world.env);
    const now = new Date();
    await new CloudWatchData(moto.clientConfig).publish(
      record.instanceId,
      new Date(now.getTime() + 20 * 60_000),
      { fromMinutesAgo: 80 },
      () => ({ cpu: 0.3, network: 1_000, gpus: [0] }),
    );

    // Act
    const answer = await slash('stop render-4 --when-idle --for 45m');
    const readsByChat = proxy.get().count('GetMetricData').forwarded;
    const warned = await consent.idleCheckAt(now);
    await consent.deliverEvents(world.notify);
    const warning = slack.callsTo('chat.postMessage').at(-1);
    const stopped = await consent.idleCheckAt(new Date(now.getTime() + 11 * 60_000));
    const again = await consent.idleCheckAt(new Date(now.getTime() + 16 * 60_000));
    await consent.observeStopped(world.engine, record);
    await consent.deliverEvents(world.notify);

    // Assert
    expect(answer).toContain('Stop when idle for 45m');
    expect(answer).toContain('The first check comes within 5m');
    expect(readsByChat).toBe(0);
    expect(warned.warned).toEqual([`${record.region}/${record.instanceId}`]);
    expect(warning?.args.thread_ts).toBeDefined();
    expect(String(warning?.args.text)).toContain('has been idle for 45m');
    expect(stopped.stopped).toEqual([`${record.region}/${record.instanceId}: stopping`]);
    expect(again.stopped).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect((await world.store.get(record))?.lastStop).toMatchObject({
      consent: { kind: 'idle', by: { platform: 'slack', id: 'U0ALICE' } },
    });
    expect(textOf(slack.callsTo('chat.update').at(-1)?.args.blocks)).toContain('Stopped by <@U0ALICE>');
    expect(await consent.schedulesOf(record.instanceId)).toEqual([]);
  });
});
