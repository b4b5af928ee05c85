/**
 * A run whose stop nobody saw, in the single process with the fake Slack Web
 * API and the loopback Bot Connector: the instance was nagged, stopped and started again while the process
 * was down; when the sweep sees the next launch it closes the old run, and its
 * nag is rewritten to say what is known (the run is over, counted to when it
 * was last seen running), not that someone stopped it outside Slack or Teams.
 */
import { describe, expect, it } from 'vitest';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { mention } from '../chat/teams/activities.js';
import { OPS } from '../chat/teams/teamsWorld.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeBotConnector } from '../support/fakeBotConnector.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { FakeFleet, VirtualClock } from '../support/fakes.js';
import {
  localConfig,
  postSlackEvent as post,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { slashCommandBody } from '../support/slackRequests.js';

const log = createLogger('test', 'ERROR');
const LAUNCH = '2026-11-16T08:00:00.000Z';

describe('a stop nobody saw, in the single process', () => {
  const local = useLocalProcess('lightsout-unobserved-');
  const slack = useFakeSlackApi();
  const connector = useFakeBotConnector();

  it('rewrites the old nag in Slack and Teams as over and counted to when last seen running, after the next launch is seen', async () => {
    // Arrange: nagged 2 h and 10 h in (1 h threshold), then the process goes down.
    const fleet = new FakeFleet();
    const instance = fleet.add({
      region: 'us-east-1',
      launchTime: LAUNCH,
      tags: { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'web-1' },
    });
    const clock = new VirtualClock(new Date(Date.parse(LAUNCH) + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, { ...slackHttpEnv(slack, port), TEAMS_ENABLED: 'true' });
    local.app = await startSingleProcess({ config, log, clock: clock.now, fleet });
    expect((await post(port, slashCommandBody('subscribe web'))).status).toBe(200);
    const teamsSub = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mention(connector.serviceUrl, 'subscribe web')),
    });
    expect(teamsSub.status).toBe(200);
    await local.app.service.reconcile();
    clock.set('2026-11-16T10:00:00.000Z');
    await local.app.service.runDueNags();
    clock.set('2026-11-16T18:00:00.000Z');
    await local.app.service.runDueNags();
    const nag = slack.callsTo('chat.postMessage')[0];
    const card = connector.sent.find((a) => a.conversationId === OPS);
    await local.app.stop();
    local.app = undefined;
    // While it is down the instance stops, unseen, and is started again the next morning.
    fleet.set(instance, { launchTime: '2026-11-17T07:00:00.000Z', state: 'running' });
    clock.set('2026-11-17T07:30:00.000Z');

    // Act: a process starts again and sweeps.
    local.app = await startSingleProcess({ config, log, clock: clock.now, fleet });
    await local.app.service.reconcile();
    await local.app.outbox.deliverer.drain();

    // Assert: the old nag's last rewrite says what is known, and nothing about where it stopped.
    expect(nag).toBeDefined();
    const rewrites = slack.callsTo('chat.update').filter((c) => c.args.channel === nag!.args.channel);
    const last = JSON.stringify(rewrites.at(-1)?.args ?? {});
    expect(last).toContain(
      "This run is over: it stopped while Lights Out wasn't watching; counted to when last seen running, 10h",
    );
    expect(last).not.toContain('Stopped outside');
    expect(card).toBeDefined();
    const cardRewrite = JSON.stringify(
      connector.updates.filter((u) => u.id === card!.id).at(-1)?.activity ?? {},
    );
    expect(cardRewrite).toContain(
      "This run is over: it stopped while Lights Out wasn't watching; counted to when last seen running, 10h",
    );
    expect(cardRewrite).not.toContain('Stopped outside');
  });
});
