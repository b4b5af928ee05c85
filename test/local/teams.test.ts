/**
 * Teams in the single process: `/api/messages` on the shared HTTP server
 * (PORT), next to Slack's `/slack/events`, SQLite stores, moto EC2, the
 * loopback Bot Connector and the fake Slack Web API. One group's nag reaches
 * a Slack channel and a Teams channel at once, and a Stop from the Teams card
 * rewrites both messages.
 */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { execute, mention } from '../chat/teams/activities.js';
import { OPS } from '../chat/teams/teamsWorld.js';
import { adaptiveCardProblems, cardsOf } from '../support/adaptiveCards.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeBotConnector } from '../support/fakeBotConnector.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { VirtualClock } from '../support/fakes.js';
import {
  launchTagged,
  localConfig,
  postSlackEvent,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';
import { slashCommandBody } from '../support/slackRequests.js';

describe('Teams in the single process (/api/messages on the shared server)', () => {
  const moto = useMoto();
  const local = useLocalProcess('lightsout-teams-');
  const slack = useFakeSlackApi();
  const connector = useFakeBotConnector();

  beforeEach(() => moto.reset());

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
    const instance = (
      await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'build-1' })
    )[0]!;
    const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, { ...slackHttpEnv(slack, port), TEAMS_ENABLED: 'true' });
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    await postSlackEvent(port, slashCommandBody('subscribe web'));
    const teamsSub = await postTeams(port, mention(connector.serviceUrl, 'subscribe web'));
    expect(teamsSub.status).toBe(200);

    // Act 1: the nag falls due in the engine.
    clock.advance(2 * HOUR - 60);
    await local.app.service.runDueNags();

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
    expect(JSON.stringify(click.body?.value)).toMatch(/Stopped by Alice Example after 2h"/);
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] })))
      .Reservations![0]!.Instances![0]!.State!.Name;
    expect(['stopping', 'stopped']).toContain(state);
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? ''))
      .toMatch(/Stopped by .*Alice Example.* \(in Teams\) after 2h"/);
  });

  it('is not mounted unless Teams is configured', async () => {
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });

    const res = await postTeams(port, mention(connector.serviceUrl, 'subscribe web'));

    expect(res.status).toBe(404);
    expect(connector.sent).toEqual([]);
  });
});
