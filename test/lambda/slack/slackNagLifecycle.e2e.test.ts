/**
 * What happens to a nag message over an instance's life, end to end through
 * the Slack Lambda handlers on moto: repeat nags as new messages, a
 * termination rewriting the message, clicks that arrive after the run ended
 * or the instance changed group, and `/ec2 list --over`.
 */
import {
  CreateTagsCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadEc2Client } from '../../../src/aws/clients.js';
import { Ec2Fleet } from '../../../src/aws/ec2Fleet.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import type { Fleet } from '../../../src/ports/fleet.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { LAMBDA_REGION } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { blockActionBody, FORM, lambdaEvent, slashCommandBody } from '../../support/slackRequests.js';
import { buildWorld, type SlackLambdaWorld, snsEvent, startFakeSlackApi } from './lambdaHarness.js';

const moto = useMoto();
let slack: FakeSlackApi;
let world: SlackLambdaWorld;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
});

const textOf = (v: unknown) => JSON.stringify(v);
const HOUR = 3_600_000;

async function setUp(extraEnv: Record<string, string> = {}) {
  world = await buildWorld(moto, slack, extraEnv);
  await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
}

/** Launches `name`, delivers its first nag over SNS and returns the button token and message ts. */
async function nagged(name: string) {
  const record = await world.launch(name);
  await world.notify(snsEvent(`sns-${name}`, buildNagNotification({ ...record, nagCount: 1 }, new Date())));
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const token = (post.args.blocks as { type: string; block_id?: string }[]).find((b) => b.type === 'actions')!
    .block_id!;
  const ts = (await world.store.get(record))!.chatRefs[0]!.messageId;
  return { record, token, ts };
}

function click(actionId: string, token: string, ts: string, opts: { selected?: string; user?: string } = {}) {
  return world.events(
    lambdaEvent(
      blockActionBody({ actionId, blockId: token, messageTs: ts, responseUrl: slack.responseUrl(), ...opts }),
      FORM,
    ),
  );
}

/**
 * The engine on the world's store and scheduler, with its fleet and event
 * bus given by the test: the harness engine drops domain events, and these
 * tests need to forward the one the engine emits, or to show it a restart.
 */
function engineWith(fleet: Fleet, published: unknown[] = []) {
  return new MonitorService({
    fleet,
    store: world.store,
    scheduler: world.scheduler,
    notifier: { notify: async () => undefined },
    events: { publish: async (e) => void published.push(e) },
    clock: () => new Date(),
    settings: {
      mode: 'opt-in',
      defaultGroup: 'all',
      defaultThresholdSeconds: 12 * 3600,
      defaultRenotifySeconds: 3600,
      regions: [LAMBDA_REGION],
      tombstoneTtlSeconds: 86_400,
    },
  });
}

describe('repeat nags with SLACK_REPEAT_NAGS=new-message', () => {
  beforeEach(() => setUp({ SLACK_REPEAT_NAGS: 'new-message' }));

  it('posts each due nag as a new top-level message instead of updating the first', async () => {
    // Arrange
    const { record, ts: first } = await nagged('web-1');

    // Act: the next nag falls due an hour later.
    await world.notify(
      snsEvent('second', buildNagNotification({ ...record, nagCount: 2 }, new Date(Date.now() + HOUR))),
    );

    // Assert
    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(2);
    for (const p of posts) {
      expect(p.args.channel).toBe('C0WEB');
      expect(p.args.thread_ts).toBeUndefined();
    }
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    expect(textOf(posts[1]!.args.blocks)).toContain('lightsout.stop');
    // Later rewrites (a Stop, a termination) go to the newest message.
    const ref = (await world.store.get(record))!.chatRefs[0]!;
    expect(ref.messageId).not.toBe(first);
  });
});

describe('the nag message over the instance’s life', () => {
  beforeEach(() => setUp());

  it('rewrites the message to "Terminated" when the engine reports the termination', async () => {
    // Arrange: the nag is out; the instance is then terminated outside Slack and the engine sees it.
    const { record, ts } = await nagged('web-2');
    const published: unknown[] = [];
    const engine = engineWith(new Ec2Fleet(loadEc2Client), published);
    await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [record.instanceId] }));
    await engine.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'terminated',
      time: new Date().toISOString(),
    });
    const event = published.find((e) => (e as { type: string }).type === 'instance.terminated');
    expect(event).toBeDefined();
    slack.reset();

    // Act: the engine's event arrives over SNS.
    await world.notify(snsEvent('evt-terminated', event));

    // Assert
    const update = slack.callsTo('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0WEB', ts });
    expect(textOf(update.args.blocks)).toContain('Terminated');
    expect(textOf(update.args.blocks)).not.toContain('lightsout.stop');
    expect(textOf(update.args.blocks)).not.toContain('lightsout.snooze');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('does nothing for a click on a run that was restarted, shows the current state and says so privately', async () => {
    // Arrange: the nag is out, then the instance is stopped and started again on moto.
    const { record, token, ts } = await nagged('web-3');
    await world.ec2.send(new StopInstancesCommand({ InstanceIds: [record.instanceId] }));
    await world.engine.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'stopped',
      time: new Date().toISOString(),
    });
    await world.ec2.send(new StartInstancesCommand({ InstanceIds: [record.instanceId] }));
    // EC2 gives a started instance a new LaunchTime; moto keeps the first one, so the engine's
    // fleet reports the new run's time as EC2 would (and keeps moto's, should moto ever change it).
    const restartedAt = new Date(Date.parse(record.launchTime) + 5 * 60_000).toISOString();
    const ec2 = new Ec2Fleet(loadEc2Client);
    const fleet: Fleet = {
      find: async (region, query) =>
        (await ec2.find(region, query)).map((i) =>
          i.instanceId === record.instanceId && i.launchTime === record.launchTime
            ? { ...i, launchTime: restartedAt }
            : i,
        ),
      stop: (region, ids) => ec2.stop(region, ids),
      start: (region, ids) => ec2.start(region, ids),
      setInstanceType: (region, id, type) => ec2.setInstanceType(region, id, type),
      stopProtected: (region, id) => ec2.stopProtected(region, id),
    };
    await engineWith(fleet).handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'running',
      time: new Date().toISOString(),
    });
    const newRun = (await world.store.get(record))!;
    expect(Date.parse(newRun.launchTime)).toBe(Date.parse(restartedAt));
    slack.reset();

    // Act: Bob presses Stop on the old run's message.
    const res = await click('lightsout.stop', token, ts, { user: 'U0BOB' });

    // Assert: nothing was stopped, the new run is untouched, the message shows the old run is over.
    expect(res.statusCode).toBe(200);
    expect(await world.instanceState(record.instanceId)).toBe('running');
    const after = (await world.store.get(record))!;
    expect(after).toMatchObject({ state: 'running', launchTime: newRun.launchTime });
    expect(after.stopRequestedAt).toBeUndefined();
    const update = slack.callsTo('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0WEB', ts });
    expect(textOf(update.args.blocks)).toContain('Restarted since this message was posted');
    expect(textOf(update.args.blocks)).not.toContain('lightsout.stop');
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({
      channel: 'C0WEB',
      user: 'U0BOB',
      text: expect.stringMatching(
        /^Nothing done: web-3 \(i-\w+\) was restarted since this message was posted/,
      ),
    });
  });

  it('refuses a click after the instance moved to another group, and does nothing', async () => {
    // Arrange: the nag went to the web channel; then someone retags the instance into db.
    const { record, token, ts } = await nagged('web-4');
    await world.ec2.send(
      new CreateTagsCommand({ Resources: [record.instanceId], Tags: [{ Key: 'MonitorGroup', Value: 'db' }] }),
    );
    await world.engine.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'running',
      time: new Date().toISOString(),
    });
    expect((await world.store.get(record))!.group).toBe('db');
    slack.reset();

    // Act: the web channel still has the old buttons.
    const stop = await click('lightsout.stop', token, ts);
    const extend = await click('lightsout.extend', token, ts, { selected: '4h' });

    // Assert
    expect(stop.statusCode).toBe(200);
    expect(extend.statusCode).toBe(200);
    expect(await world.instanceState(record.instanceId)).toBe('running');
    const after = (await world.store.get(record))!;
    expect(after.extensionSeconds).toBe(0);
    expect(after.stopRequestedAt).toBeUndefined();
    // The clicked message now shows the instance as it is: in group db.
    const update = slack.callsTo('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0WEB', ts });
    expect(textOf(update.args.blocks)).toContain('*Group*\\n`db`');
    const notices = slack.callsTo('chat.postEphemeral').map((c) => c.args);
    expect(notices).toHaveLength(2);
    for (const n of notices) {
      expect(n).toMatchObject({
        channel: 'C0WEB',
        user: 'U0ALICE',
        text: expect.stringContaining('now belongs to group `db`, not `web`'),
      });
    }
  });
});

describe('/ec2 list --over on Slack', () => {
  beforeEach(() => setUp());

  const list = async (text: string) =>
    JSON.parse((await world.events(lambdaEvent(slashCommandBody(text), FORM))).body!) as {
      response_type: string;
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
  const rows = (reply: Awaited<ReturnType<typeof list>>) =>
    reply.blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);

  /** Records `name` as the engine would after it had run for `hours`, next nag at `nextNagAt`. */
  async function running(name: string, hours: number, nextNagAt: Date) {
    const record = await world.launch(name);
    // moto cannot backdate a launch, so the engine's record of the run is aged instead.
    await world.store.put(
      {
        ...record,
        launchTime: new Date(Date.now() - hours * HOUR).toISOString(),
        nextNagAt: nextNagAt.toISOString(),
      },
      { expectedVersion: record.version },
    );
    return record;
  }

  it('shows only over-threshold instances, longest-running first, marked, with their next nag', async () => {
    // Arrange: two over the 12 h threshold, one under.
    const soon = new Date(Math.floor(Date.now() / 1000 + 1800) * 1000);
    const later = new Date(Math.floor(Date.now() / 1000 + 2 * 3600) * 1000);
    await running('web-thirteen', 13, soon);
    await running('web-twenty', 20, later);
    await running('web-young', 1, new Date(Date.now() + 11 * HOUR));

    // Act
    const over = await list('list --over');
    const all = await list('list');

    // Assert
    expect(over.response_type).toBe('ephemeral');
    expect(over.text).toContain('2 instances, 2 over threshold');
    const overRows = rows(over);
    expect(overRows).toHaveLength(2);
    expect(overRows[0]).toContain('web-twenty');
    expect(overRows[1]).toContain('web-thirteen');
    expect(textOf(over.blocks)).not.toContain('web-young');
    for (const r of overRows) expect(r).toMatch(/^:red_circle: /);
    expect(overRows[0]).toContain('20h / 12h');
    expect(overRows[0]).toContain(`next nag <!date^${later.getTime() / 1000}^{date_short_pretty} {time}`);
    expect(overRows[1]).toContain(`next nag <!date^${soon.getTime() / 1000}^{date_short_pretty} {time}`);

    // Without --over the young instance is listed last, unmarked as over.
    const allRows = rows(all);
    expect(all.text).toContain('3 instances, 2 over threshold');
    expect(allRows.map((r) => r.match(/web-\w+/)![0])).toEqual(['web-twenty', 'web-thirteen', 'web-young']);
    expect(allRows[2]).toMatch(/^:large_green_circle: /);
  });
});
