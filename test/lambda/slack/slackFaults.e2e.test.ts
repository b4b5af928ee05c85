/**
 * Slack clicks and slash commands on Lambda while AWS misbehaves: moto behind
 * the fault proxy. A click is answered before any EC2 call it causes has
 * completed, its work runs in the handed-off invocation, and once EC2
 * recovers the message is rewritten and each instance has been stopped
 * exactly once (StopInstances counted at the proxy). A slash command whose
 * answer is late is answered "Working on it…" and answered for real through
 * its response_url by the hand-off.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { type CallInfo, useFaultProxy } from '../../support/faultProxy.js';
import { launchTagged } from '../../support/localProcess.js';
import { useMoto } from '../../support/moto.js';
import { blockActionBody, FORM, lambdaEvent, slashCommandBody } from '../../support/slackRequests.js';
import { buildWorld, type SlackLambdaWorld, snsEvent, startFakeSlackApi } from './lambdaHarness.js';

const moto = useMoto();
const faults = useFaultProxy(moto);
let slack: FakeSlackApi;
let world: SlackLambdaWorld;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  faults.reset();
  world = await buildWorld(moto, slack);
  await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
});

const ec2Calls = (call: CallInfo) => call.service === 'ec2';

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

async function nagged(name: string) {
  const record = await world.launch(name);
  await world.notify(snsEvent(`sns-${name}`, buildNagNotification(record, new Date())));
  const stored = await world.store.get(record);
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const token = (post.args.blocks as { type: string; block_id?: string }[]).find((b) => b.type === 'actions')!
    .block_id!;
  return { record, token, ts: stored!.chatRefs[0]!.messageId };
}

function stopClick(token: string, ts: string, actionTs: string) {
  return lambdaEvent(
    blockActionBody({
      actionId: 'lightsout.stop',
      blockId: token,
      messageTs: ts,
      actionTs,
      responseUrl: slack.responseUrl(),
    }),
    FORM,
  );
}

/** StopInstances calls that reached moto, per instance id. */
function stopsApplied(): Map<string, number> {
  const out = new Map<string, number>();
  for (const call of faults.get().calls('StopInstances')) {
    if (!call.outcomes.includes('forwarded')) continue;
    const id = call.params['InstanceId.1']!;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

describe('Slack clicks on Lambda while EC2 misbehaves', () => {
  it('answers a Stop while EC2 hangs, then stops once and rewrites the message when EC2 recovers', {
    timeout: 120_000,
  }, async () => {
    // Arrange
    const { record, token, ts } = await nagged('hang-1');
    const proxy = faults.get();
    proxy.addRule({ action: ec2Calls, fault: { kind: 'hang' } });
    const updatesBefore = slack.callsTo('chat.update').length;

    // Act: the click is answered...
    const res = await world.answer(stopClick(token, ts, '1700000001.000100'));
    // ...while its work is still waiting on the hung EC2 call.
    await until(() => proxy.pendingHangs() > 0);
    const appliedWhileHung = stopsApplied().size;
    const updatedWhileHung = slack.callsTo('chat.update').length - updatesBefore;
    proxy.recover();
    await world.handOffs.settled();

    // Assert
    expect(res.statusCode).toBe(200);
    // The hand-off carries when the click was answered: CHAT_ACTION_DEADLINE counts from then.
    expect(world.handOffs.sent).toMatchObject([{ kind: 'click', acknowledgedAt: expect.any(Number) }]);
    expect(appliedWhileHung).toBe(0);
    expect(updatedWhileHung).toBe(0);
    expect(stopsApplied()).toEqual(new Map([[record.instanceId, 1]]));
    expect(['stopping', 'stopped']).toContain(await world.instanceState(record.instanceId));
    expect(JSON.stringify(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain(
      'Stopped by <@U0ALICE>',
    );
  });

  it('answers every click under 30% EC2 throttling and stops each instance exactly once', {
    timeout: 120_000,
  }, async () => {
    // Arrange
    const runs = [];
    for (const name of ['thr-1', 'thr-2', 'thr-3', 'thr-4']) runs.push(await nagged(name));
    faults.get().addRule({ action: ec2Calls, fault: { kind: 'throttle' }, rate: 0.3 });

    // Act
    const answers = await Promise.all(
      runs.map((r, i) => world.answer(stopClick(r.token, r.ts, `1700000002.00010${i}`))),
    );
    await world.handOffs.settled();

    // Assert
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    expect(
      faults.get().count('DescribeInstances').throttled + faults.get().count('StopInstances').throttled,
    ).toBeGreaterThan(0);
    expect(stopsApplied()).toEqual(new Map(runs.map((r) => [r.record.instanceId, 1])));
    const updated = slack.callsTo('chat.update').map((c) => `${c.args.ts} ${JSON.stringify(c.args.blocks)}`);
    for (const r of runs) {
      expect(updated.some((u) => u.startsWith(`${r.ts} `) && u.includes('Stopped by'))).toBe(true);
    }
  });
});

describe('Slack slash commands on Lambda while EC2 hangs', () => {
  const SPEC = `workloads:
  - name: shop
    region: us-east-1
    workloadTag: { key: Environment, value: ENV001 }
    tierTag: Role
    tiers:
      - { name: web, start: { sequence: 0 }, stop: { sequence: 0 } }
`;

  async function workloadWorld() {
    const dir = mkdtempSync(join(tmpdir(), 'lightsout-slash-'));
    writeFileSync(join(dir, 'workloads.yaml'), SPEC);
    return buildWorld(moto, slack, {
      WORKLOADS_FILE: join(dir, 'workloads.yaml'),
      WORKLOAD_STEP_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-workload-step',
      WORKLOAD_ADMINS: 'slack:U0ALICE',
    });
  }

  const command = (text: string, responseUrl: string) =>
    lambdaEvent(slashCommandBody(text, { responseUrl }), FORM);

  it('answers "Working on it" while EC2 hangs and posts the answer through response_url after', {
    timeout: 120_000,
  }, async () => {
    // Arrange: `workload show` lists the workload's instances from EC2, which hangs.
    world = await workloadWorld();
    const [web] = await launchTagged(world.ec2, { Environment: 'ENV001', Role: 'web' });
    const proxy = faults.get();
    proxy.addRule({ action: ec2Calls, fault: { kind: 'hang' } });
    const responseUrl = slack.responseUrl('show-1');

    // Act
    const res = await world.answer(command('workload show shop', responseUrl));
    await until(() => proxy.pendingHangs() > 1); // the abandoned first try and the hand-off
    const postedWhileHung = slack.callsTo('response_url/show-1').length;
    proxy.recover();
    await world.handOffs.settled();

    // Assert
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Working on it'),
    });
    expect(world.handOffs.sent).toMatchObject([{ kind: 'command', text: 'workload show shop' }]);
    expect(postedWhileHung).toBe(0);
    const posts = slack.callsTo('response_url/show-1');
    expect(posts).toHaveLength(1);
    expect(String(posts[0]!.args.text)).toContain('Workload shop');
    expect(JSON.stringify(posts[0]!.args.blocks)).toContain(web!.InstanceId!);
  });

  it('hands a confirmed workload stop on before it starts, so it never runs twice', {
    timeout: 120_000,
  }, async () => {
    // Arrange: an admin asked and got the confirmation code.
    world = await workloadWorld();
    await launchTagged(world.ec2, { Environment: 'ENV001', Role: 'web' });
    const ask = await world.events(command('workload stop shop', slack.responseUrl('ask')));
    const code = /--confirm ([0-9A-Z]{6})/.exec(ask.body!)?.[1];
    expect(code).toBeDefined();

    // Act
    const res = await world.answer(command(`workload stop shop --confirm ${code}`, slack.responseUrl('go')));
    const handedOffAtAnswer = world.handOffs.sent.length;
    await world.handOffs.settled();

    // Assert: the answer is the interim one, and only the hand-off ran the command.
    expect(JSON.parse(res.body!).text).toContain('Working on it');
    expect(handedOffAtAnswer).toBe(1);
    const posts = slack.callsTo('response_url/go');
    expect(posts).toHaveLength(1);
    expect(String(posts[0]!.args.text)).toContain('started');
  });
});
