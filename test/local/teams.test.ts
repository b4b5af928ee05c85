/**
 * Teams in the single process: `/api/messages` on the shared HTTP server
 * (PORT), next to Slack's `/slack/events`, SQLite stores, moto EC2, the
 * loopback Bot Connector and the fake Slack Web API. One group's nag reaches
 * a Slack channel and a Teams channel at once, and a Stop from the Teams card
 * rewrites both messages.
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
import { execute, mention } from '../chat/teams/activities.js';
import { OPS } from '../chat/teams/teamsWorld.js';
import { adaptiveCardProblems, cardsOf } from '../support/adaptiveCards.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fakeBotConnector.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fakeSlackApi.js';
import { VirtualClock } from '../support/fakes.js';
import { useMoto } from '../support/moto.js';
import { FORM, SIGNING_SECRET, sign, slashCommandBody } from '../support/slackRequests.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

describe('Teams in the single process (/api/messages on the shared server)', () => {
  const moto = useMoto();
  let connector: FakeBotConnector;
  let slack: FakeSlackApi;
  let dir: string;
  let app: SingleProcess | undefined;

  beforeAll(async () => {
    connector = await startFakeBotConnector();
    slack = await startFakeSlackApi();
  });
  afterAll(async () => {
    await connector.close();
    await slack.close();
  });
  beforeEach(async () => {
    await moto.reset();
    connector.reset();
    slack.reset();
    dir = mkdtempSync(join(tmpdir(), 'lightsout-teams-'));
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const postTeams = async (port: number, activity: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const json = res.headers.get('content-type')?.includes('json');
    return {
      status: res.status,
      body: json ? ((await res.json()) as { type?: string; value?: unknown }) : undefined,
    };
  };

  it("posts one group's nag to Slack and Teams, and a Stop from the Teams card updates both", async () => {
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
      TEAMS_ENABLED: 'true',
      PORT: String(port),
    });
    app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    const ts = Math.floor(Date.now() / 1000);
    const slackSub = slashCommandBody('subscribe web');
    await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': FORM,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': sign(slackSub, ts),
      },
      body: slackSub,
    });
    const teamsSub = await postTeams(port, mention(connector.serviceUrl, 'subscribe web'));
    expect(teamsSub.status).toBe(200);

    // Act 1: the nag falls due in the engine.
    clock.advance(2 * HOUR - 60);
    await app.service.runDueNags();

    // Assert 1: both platforms got it.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    const nag = connector.sent.find((s) => s.conversationId === OPS)!;
    const card = cardsOf(nag.activity)[0];
    expect(adaptiveCardProblems(card)).toEqual([]);
    const token = /"token":"([^"]+)"/.exec(JSON.stringify(card))![1]!;

    // Act 2: Alice confirms Stop on the Teams card.
    const click = await postTeams(
      port,
      execute(connector.serviceUrl, nag.id, { verb: 'lightsout.stop', data: { token, confirmed: true } }),
    );

    // Assert 2
    expect(click.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(click.body?.value)).toMatch(/Stopped by Alice Example after 2h 00m/);
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] })))
      .Reservations![0]!.Instances![0]!.State!.Name;
    expect(['stopping', 'stopped']).toContain(state);
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? ''))
      .toMatch(/Stopped by .*Alice Example.* \(in Teams\) after 2h 00m/);
  });

  it('is not mounted unless Teams is configured', async () => {
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

    const res = await postTeams(port, mention(connector.serviceUrl, 'subscribe web'));

    expect(res.status).toBe(404);
    expect(connector.sent).toEqual([]);
  });
});
