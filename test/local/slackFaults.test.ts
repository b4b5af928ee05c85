/**
 * Slack clicks and slash commands in the single process while EC2 hangs:
 * moto behind the fault proxy. The HTTP answer comes back while the EC2 call
 * is still held, and once EC2 recovers the instance is stopped exactly once
 * (StopInstances counted at the proxy) and the message is rewritten, or the
 * command's answer arrives through its response_url. A Stop that EC2
 * throttles past the SDK's own retries is tried again, not reported failed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { VirtualClock } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import {
  launchTagged,
  localConfig,
  postSlackEvent as post,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';
import { blockActionBody, slashCommandBody } from '../support/slackRequests.js';

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

describe('Slack clicks in the single process while EC2 hangs', () => {
  const moto = useMoto();
  const faults = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-slack-faults-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    faults.reset();
  });

  it('answers the click before EC2 answers, then stops once and rewrites the message', {
    timeout: 120_000,
  }, async () => {
    // Arrange: a nag is posted for a monitored instance.
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (
      await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'build-1' })
    )[0]!;
    const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    await post(port, slashCommandBody('subscribe web'));
    clock.advance(2 * HOUR - 60);
    await local.app.service.runDueNags();
    const posted = slack.callsTo('chat.postMessage')[0]!;
    const token = (posted.args.blocks as { type: string; block_id?: string }[]).find(
      (b) => b.type === 'actions',
    )!.block_id!;
    const ref = (await local.app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! }))!
      .chatRefs[0]!;
    const proxy = faults.get();
    proxy.addRule({ action: (call) => call.service === 'ec2', fault: { kind: 'hang' } });

    // Act: the click is answered while its EC2 call is held.
    const click = await post(
      port,
      blockActionBody({
        actionId: 'lightsout.stop',
        blockId: token,
        messageTs: ref.messageId,
        responseUrl: slack.responseUrl(),
      }),
    );
    await until(() => proxy.pendingHangs() > 0);
    const appliedWhileHung = proxy.count('StopInstances').forwarded;
    const updatedWhileHung = slack.callsTo('chat.update').length;
    proxy.recover();

    // Assert
    expect(click.status).toBe(200);
    expect(appliedWhileHung).toBe(0);
    expect(updatedWhileHung).toBe(0);
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? ''), { timeout: 60_000 })
      .toContain('Stopped by <@U0ALICE>');
    expect(proxy.count('StopInstances').forwarded).toBe(1);
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instance.InstanceId!] })))
      .Reservations![0]!.Instances![0]!.State!.Name;
    expect(['stopping', 'stopped']).toContain(state);
  });

  it('answers a slash command while EC2 hangs, then posts the answer through response_url', {
    timeout: 120_000,
  }, async () => {
    // Arrange: `workload show` reads the workload's instances from EC2, which hangs.
    writeFileSync(
      join(local.dir, 'workloads.yaml'),
      `workloads:
  - name: shop
    region: us-east-1
    workloadTag: { key: Environment, value: ENV001 }
    tierTag: Role
    tiers:
      - { name: web, start: { sequence: 0 }, stop: { sequence: 0 } }
`,
    );
    const ec2 = new EC2Client(moto.clientConfig);
    const [web] = await launchTagged(ec2, { Environment: 'ENV001', Role: 'web' });
    const port = await freePort();
    const config = localConfig(local.dir, {
      ...slackHttpEnv(slack, port),
      WORKLOADS_FILE: join(local.dir, 'workloads.yaml'),
    });
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });
    const proxy = faults.get();
    proxy.addRule({ action: (call) => call.service === 'ec2', fault: { kind: 'hang' } });
    const responseUrl = slack.responseUrl('cmd-1');

    // Act: the command is answered while its DescribeInstances is held...
    const res = await post(port, slashCommandBody('workload show shop', { responseUrl }));
    const ack = await res.text();
    const hungAtAnswer = proxy.pendingHangs();
    const postedWhileHung = slack.callsTo('response_url/cmd-1').length;
    proxy.recover();

    // Assert: ...with "Working on it", and the real answer follows once EC2 answers.
    expect(res.status).toBe(200);
    expect(hungAtAnswer).toBeGreaterThan(0);
    expect(JSON.parse(ack)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Working on it'),
    });
    expect(postedWhileHung).toBe(0);
    await expect.poll(() => slack.callsTo('response_url/cmd-1').length, { timeout: 60_000 }).toBe(1);
    const answer = slack.callsTo('response_url/cmd-1')[0]!.args;
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(answer.text)).toContain('Workload shop');
    expect(JSON.stringify(answer.blocks)).toContain(web!.InstanceId!);
  });

  it('tries a Stop again when EC2 throttles past the SDK retries, and stops exactly once', {
    timeout: 120_000,
  }, async () => {
    // Arrange: a nag is posted; StopInstances will be throttled three times (every SDK attempt).
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (
      await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'build-1' })
    )[0]!;
    const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    await post(port, slashCommandBody('subscribe web'));
    clock.advance(2 * HOUR - 60);
    await local.app.service.runDueNags();
    const posted = slack.callsTo('chat.postMessage')[0]!;
    const token = (posted.args.blocks as { type: string; block_id?: string }[]).find(
      (b) => b.type === 'actions',
    )!.block_id!;
    const ref = (await local.app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! }))!
      .chatRefs[0]!;
    const proxy = faults.get();
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'throttle' }, times: 3 });

    // Act
    const click = await post(
      port,
      blockActionBody({
        actionId: 'lightsout.stop',
        blockId: token,
        messageTs: ref.messageId,
        responseUrl: slack.responseUrl(),
      }),
    );

    // Assert: the click's work tried again after the SDK gave up, stopped once, and said so.
    expect(click.status).toBe(200);
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? ''), { timeout: 60_000 })
      .toContain('Stopped by <@U0ALICE>');
    expect(proxy.count('StopInstances')).toMatchObject({ throttled: 3, forwarded: 1 });
    const notes = slack.callsTo('chat.postEphemeral').map((c) => String(c.args.text));
    expect(notes.filter((t) => t.startsWith('Could not'))).toEqual([]);
  });

  it('counts CHAT_ACTION_DEADLINE from the click: a click whose deadline passed in the queue tries once, then says it could not', {
    timeout: 120_000,
  }, async () => {
    // Arrange: six nags; a 15 minute deadline, and a try may take 2 × (3 s + 300 s), so a click may
    // start another try until ~5 minutes after it was answered.
    const ec2 = new EC2Client(moto.clientConfig);
    const instances = await launchTagged(
      ec2,
      { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'build' },
      6,
    );
    const clock = new VirtualClock(new Date(instances[0]!.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, {
      ...slackHttpEnv(slack, port),
      AWS_REQUEST_TIMEOUT: '300s',
      AWS_MAX_ATTEMPTS: '1',
      CHAT_ACTION_DEADLINE: '15m',
    });
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    await post(port, slashCommandBody('subscribe web'));
    clock.advance(2 * HOUR - 60);
    await local.app.service.runDueNags();
    const clicks = await Promise.all(
      instances.map(async (instance, i) => {
        const ref = (await local.app!.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! }))!
          .chatRefs[0]!;
        const nag = slack
          .callsTo('chat.postMessage')
          .find((c) => JSON.stringify(c.args.blocks).includes(instance.InstanceId!))!;
        const token = (nag.args.blocks as { type: string; block_id?: string }[]).find(
          (b) => b.type === 'actions',
        )!.block_id!;
        return blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: ref.messageId,
          responseUrl: slack.responseUrl(),
          actionTs: `1700000000.00000${i}`,
        });
      }),
    );
    const proxy = faults.get();
    const hang = proxy.addRule({ action: 'StopInstances', fault: { kind: 'hang' } });

    // Act: six Stop clicks while StopInstances hangs: four hold the queue's slots at EC2, two wait
    // their turn. The deadline passes while they wait; then the held calls are answered, and EC2
    // throttles every StopInstances from then on.
    const answers = await Promise.all(clicks.map((body) => post(port, body)));
    await expect.poll(() => proxy.pendingHangs(), { timeout: 30_000 }).toBe(4);
    const before = proxy.count('StopInstances');
    clock.advance(16 * 60);
    hang.remove();
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'throttle' } });
    proxy.releaseHangs();

    // Assert: the two queued clicks each made one try (one throttled call, the SDK's only attempt)
    // and told their clickers, instead of trying again for a deadline counted from their turn.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const couldNot = () =>
      slack
        .callsTo('chat.postEphemeral')
        .map((c) => String(c.args.text))
        .filter((t) => t.startsWith('Could not stop'));
    await expect.poll(() => couldNot().length, { timeout: 60_000 }).toBe(2);
    expect(couldNot()[0]).toContain('AWS is busy or throttling');
    const after = proxy.count('StopInstances');
    expect(after.forwarded - before.forwarded).toBe(4);
    expect(after.throttled - before.throttled).toBe(2);
  });
});
