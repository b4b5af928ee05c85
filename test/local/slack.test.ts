/**
 * Slack in the single process: Bolt's HTTP receiver on the shared server
 * (PORT), SQLite stores, moto EC2 and the fake Web API. A nag that falls due
 * in the engine is posted, and a signed Stop click stops the instance.
 */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { startFakeSocketMode } from '../support/fakeSocketMode.js';
import { VirtualClock } from '../support/fakes.js';
import {
  launchTagged,
  localConfig,
  postSlackEvent as post,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';
import { blockActionBody, slashCommandBody } from '../support/slackRequests.js';

describe('Slack in the single process', () => {
  const moto = useMoto();
  const local = useLocalProcess('lightsout-slack-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
  });

  it('posts a due nag and stops the instance from the button', async () => {
    // Arrange
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (
      await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'build-1' })
    )[0]!;
    const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    expect(local.app.chat.port).toBe(port);
    const sub = await post(port, slashCommandBody('subscribe web'));
    expect(sub.status).toBe(200);
    expect(await sub.json()).toMatchObject({ response_type: 'in_channel' });

    // Act: the nag falls due, then Alice presses Stop on the posted message.
    clock.advance(2 * HOUR - 60);
    await local.app.service.runDueNags();
    const posted = slack.callsTo('chat.postMessage')[0]!;
    const token = (posted.args.blocks as { type: string; block_id?: string }[]).find(
      (b) => b.type === 'actions',
    )!.block_id!;
    const ref = (await local.app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! }))!
      .chatRefs[0]!;
    const click = await post(
      port,
      blockActionBody({
        actionId: 'lightsout.stop',
        blockId: token,
        messageTs: ref.messageId,
        responseUrl: slack.responseUrl(),
      }),
    );

    // Assert: the click is answered first; the stop and the rewrite follow.
    expect(click.status).toBe(200);
    expect(posted.args.channel).toBe('C0WEB');
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? ''))
      .toMatch(/Stopped by <@U0ALICE> after 2h"/);
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] })))
      .Reservations![0]!.Instances![0]!.State!.Name;
    expect(['stopping', 'stopped']).toContain(state);
  });

  it('answers 401 to a badly signed request and serves /healthz', async () => {
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });

    const bad = await post(port, slashCommandBody('subscribe ops'), { signature: 'v0=00' });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);

    expect(bad.status).toBe(401);
    expect(health.status).toBe(200);
    expect(slack.calls).toHaveLength(0);
  });

  it('refuses correctly signed requests stamped more than five minutes away, either way', async () => {
    // Arrange
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });
    const now = Math.floor(Date.now() / 1000);
    const body = slashCommandBody('subscriptions');

    // Act
    const future = await post(port, body, { ts: now + 6 * 60 });
    const nextYear = await post(port, body, { ts: now + 365 * 24 * 3600 });
    const past = await post(port, body, { ts: now - 6 * 60 });
    const slightlyAhead = await post(port, body, { ts: now + 4 * 60 });

    // Assert
    expect([future.status, nextYear.status, past.status]).toEqual([401, 401, 401]);
    expect(slightlyAhead.status).toBe(200);
  });

  it('connects over Socket Mode (SLACK_APP_TOKEN) through SLACK_API_URL and answers /ec2 in the ack', async () => {
    // Arrange
    const socket = await startFakeSocketMode();
    slack.socketModeUrl = socket.url;
    const config = localConfig(local.dir, {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: slack.apiUrl,
    });
    try {
      local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });
      await socket.connected;

      // Act
      const command = Object.fromEntries(new URLSearchParams(slashCommandBody('subscribe web')));
      const ack = await socket.send('slash_commands', command);
      const subs = await socket.send(
        'slash_commands',
        Object.fromEntries(new URLSearchParams(slashCommandBody('subscriptions'))),
      );

      // Assert
      expect(slack.callsTo('apps.connections.open')).toHaveLength(1);
      expect(local.app.chat.port).toBeUndefined();
      expect(ack).toMatchObject({
        response_type: 'in_channel',
        text: expect.stringContaining('nags for group web'),
      });
      expect(subs).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('web (since') });
    } finally {
      await local.app?.stop();
      local.app = undefined;
      await socket.close();
    }
  });

  it('starts the engine while Slack cannot be reached, and still stops cleanly', async () => {
    // Arrange: Socket Mode against a Web API address nothing listens on
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web' }))[0]!;
    const config = localConfig(local.dir, {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: `http://127.0.0.1:${await freePort()}/api/`,
    });

    // Act
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });
    const record = await local.app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! });
    await local.app.stop();
    local.app = undefined;

    // Assert: the first sweep ran without waiting for Slack
    expect(record).toMatchObject({ state: 'running', group: 'web' });
    expect(record?.nextNagAt).toBeDefined();
  });
});
