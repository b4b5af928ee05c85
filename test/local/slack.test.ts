/**
 * Slack in the single process: Bolt's HTTP receiver on the shared server
 * (PORT), SQLite stores, moto EC2 and the fake Web API. A nag that falls due
 * in the engine is posted, and a signed Stop click stops the instance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { HOUR } from '../../src/core/duration.js';
import { type SingleProcess, startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fakeSlackApi.js';
import { startFakeSocketMode } from '../support/fakeSocketMode.js';
import { VirtualClock } from '../support/fakes.js';
import { useMoto } from '../support/moto.js';
import { blockActionBody, FORM, SIGNING_SECRET, sign, slashCommandBody } from '../support/slackRequests.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

describe('Slack in the single process', () => {
  const moto = useMoto();
  let slack: FakeSlackApi;
  let dir: string;
  let app: SingleProcess | undefined;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
  });
  afterAll(() => slack.close());
  beforeEach(async () => {
    await moto.reset();
    slack.reset();
    dir = mkdtempSync(join(tmpdir(), 'lightsout-slack-'));
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(port: number, body: string, opts: { signature?: string } = {}) {
    const ts = Math.floor(Date.now() / 1000);
    return fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': FORM,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': opts.signature ?? sign(body, ts),
      },
      body,
    });
  }

  it('posts a due nag and stops the instance from the button', async () => {
    // Arrange
    const ec2 = new EC2Client(moto.clientConfig);
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Monitor', Value: 'true' },
              { Key: 'MonitorGroup', Value: 'web' },
              { Key: 'Threshold', Value: '1' },
              { Key: 'Name', Value: 'build-1' },
            ],
          },
        ],
      }),
    );
    const instance = run.Instances![0]!;
    const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = loadConfig({
      REGIONS: 'us-east-1',
      DB_PATH: join(dir, 'lightsout.db'),
      RECONCILE_EVERY: '1h',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    });
    app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    expect(app.chat.port).toBe(port);
    const sub = await post(port, slashCommandBody('subscribe web'));
    expect(sub.status).toBe(200);
    expect(await sub.json()).toMatchObject({ response_type: 'in_channel' });

    // Act: the nag falls due, then Alice presses Stop on the posted message.
    clock.advance(2 * HOUR - 60);
    await app.service.runDueNags();
    const posted = slack.callsTo('chat.postMessage')[0]!;
    const token = (posted.args.blocks as { type: string; block_id?: string }[]).find(
      (b) => b.type === 'actions',
    )!.block_id!;
    const ref = (await app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! }))!
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

    // Assert
    expect(click.status).toBe(200);
    expect(posted.args.channel).toBe('C0WEB');
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] })))
      .Reservations![0]!.Instances![0]!.State!.Name;
    expect(['stopping', 'stopped']).toContain(state);
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? ''))
      .toContain('Stopped by <@U0ALICE> after 2h 00m');
  });

  it('answers 401 to a badly signed request and serves /healthz', async () => {
    const port = await freePort();
    const config = loadConfig({
      REGIONS: 'us-east-1',
      DB_PATH: join(dir, 'lightsout.db'),
      RECONCILE_EVERY: '1h',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
    });
    app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });

    const bad = await post(port, slashCommandBody('subscribe ops'), { signature: 'v0=00' });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);

    expect(bad.status).toBe(401);
    expect(health.status).toBe(200);
    expect(slack.calls).toHaveLength(0);
  });

  it('connects over Socket Mode (SLACK_APP_TOKEN) through SLACK_API_URL and answers /ec2 in the ack', async () => {
    // Arrange
    const socket = await startFakeSocketMode();
    slack.socketModeUrl = socket.url;
    const config = loadConfig({
      REGIONS: 'us-east-1',
      DB_PATH: join(dir, 'lightsout.db'),
      RECONCILE_EVERY: '1h',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: slack.apiUrl,
    });
    try {
      app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });
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
      expect(app.chat.port).toBeUndefined();
      expect(ack).toMatchObject({
        response_type: 'in_channel',
        text: expect.stringContaining('nags for group web'),
      });
      expect(subs).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('web (since') });
    } finally {
      await app?.stop();
      app = undefined;
      await socket.close();
    }
  });
});
