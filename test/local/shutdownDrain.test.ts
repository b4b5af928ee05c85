/**
 * SIGTERM while a slash command's answer is still on its way: `lightsout
 * start` as its own process, moto behind the fault proxy, the loopback Slack
 * Web API. The command was acknowledged with "Working on it…" while EC2 held
 * its call; shutdown waits for it, so the answer still reaches the command's
 * response_url before the process says it stopped, and it exits 0. Shutdown
 * takes no new requests, and it waits only SHUTDOWN_DRAIN_DEADLINE: with EC2
 * hung for good, the process stops anyway and names the work it left undone.
 * The deadline counts from the signal and bounds every wait, a hung sweep's too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { freePort, spawnCli } from '../support/cliProcess.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { launchTagged, postSlackEvent, slackHttpEnv, useLocalProcess } from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';
import { slashCommandBody } from '../support/slackRequests.js';

const WORKLOADS = `workloads:
  - name: shop
    region: us-east-1
    workloadTag: { key: Environment, value: ENV001 }
    tierTag: Role
    tiers:
      - { name: web, start: { sequence: 0 }, stop: { sequence: 0 } }
`;

describe('shutdown of the single process', () => {
  const moto = useMoto();
  const faults = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-shutdown-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    faults.reset();
  });

  /** `lightsout start` with a workload, up and past its first sweep. */
  async function started(env: Record<string, string> = {}) {
    writeFileSync(join(local.dir, 'workloads.yaml'), WORKLOADS);
    const [web] = await launchTagged(new EC2Client(moto.clientConfig), {
      Environment: 'ENV001',
      Role: 'web',
    });
    const port = await freePort();
    const proxy = faults.get();
    const proc = spawnCli(['start'], {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      REGIONS: 'us-east-1',
      RECONCILE_EVERY: '1h',
      DB_PATH: join(local.dir, 'lightsout.db'),
      WORKLOADS_FILE: join(local.dir, 'workloads.yaml'),
      LOG_LEVEL: 'info',
      ...slackHttpEnv(slack, port),
      ...env,
    });
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.status,
            () => 0,
          ),
        {
          timeout: 120_000,
          interval: 200,
        },
      )
      .toBe(200);
    return { web, port, proxy, proc };
  }

  it('waits for a slash command answered late, whose answer still arrives through response_url', {
    timeout: 180_000,
  }, async () => {
    // Arrange: the process is up and its first sweep is done; then EC2 hangs.
    const { web, port, proxy, proc } = await started();
    proxy.addRule({ action: (call) => call.service === 'ec2', fault: { kind: 'hang' } });
    const responseUrl = slack.responseUrl('late-1');
    const ack = await postSlackEvent(port, slashCommandBody('workload show shop', { responseUrl }));
    const ackText = await ack.text();

    // Act: SIGTERM while the command's DescribeInstances is held; EC2 recovers during the shutdown.
    proc.proc.kill('SIGTERM');
    await proc.waitForLog('waiting for chat work already answered');
    const stoppedWhileHung = proc.stdout().includes('single process stopped');
    const answeredWhileHung = slack.callsTo('response_url/late-1').length;
    proxy.recover();
    const exit = await proc.exited;

    // Assert: acknowledged at once; the answer came after recovery, and before the process stopped.
    expect(JSON.parse(ackText)).toMatchObject({ text: expect.stringContaining('Working on it') });
    expect(stoppedWhileHung).toBe(false);
    expect(answeredWhileHung).toBe(0);
    const answers = slack.callsTo('response_url/late-1');
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]!.args)).toContain(web!.InstanceId!);
    expect(proc.stdout()).toContain('single process stopped');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('takes no new requests once stopping, and stops at SHUTDOWN_DRAIN_DEADLINE naming the work left undone', {
    timeout: 180_000,
  }, async () => {
    // Arrange: a late slash command waits on EC2, which hangs for the whole test.
    const { port, proxy, proc } = await started({
      SHUTDOWN_DRAIN_DEADLINE: '2s',
      AWS_REQUEST_TIMEOUT: '300s',
    });
    proxy.addRule({ action: (call) => call.service === 'ec2', fault: { kind: 'hang' } });
    const responseUrl = slack.responseUrl('late-2');
    const ack = await postSlackEvent(port, slashCommandBody('workload show shop', { responseUrl }));
    const ackText = await ack.text();

    // Act: SIGTERM; a command arriving while the process drains; EC2 never recovers.
    proc.proc.kill('SIGTERM');
    await proc.waitForLog('waiting for chat work already answered');
    const during = await postSlackEvent(port, slashCommandBody('help')).then(
      (r) => r.status,
      () => 'refused',
    );
    const exit = await proc.exited;
    // Warnings go to stderr, one JSON line each.
    const leftUndone = proc
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message: string; left?: string[] })
      .find((l) => l.message === 'shutdown deadline passed; work left undone');

    // Assert: the late command was acknowledged, then named as left undone; the process still stopped.
    expect(JSON.parse(ackText)).toMatchObject({ text: expect.stringContaining('Working on it') });
    expect([503, 'refused']).toContain(during);
    expect(leftUndone?.left).toEqual([expect.stringContaining('/ec2 workload show shop')]);
    // EC2 held the command's call until the process went away: it never answered.
    const held = proxy.calls().filter((c) => c.service === 'ec2' && c.outcomes.includes('hung'));
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((c) => c.outcomes.includes('forwarded'))).toEqual([]);
    expect(slack.callsTo('response_url/late-2')).toEqual([]);
    expect(proc.stdout()).toContain('single process stopped');
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('refuses requests at once while a sweep hangs on EC2, and stops at the deadline naming the sweep', {
    timeout: 180_000,
  }, async () => {
    // Arrange: a sweep every 10 s; after start-up DescribeInstances hangs for the whole test.
    const { port, proxy, proc } = await started({
      RECONCILE_EVERY: '10s',
      SHUTDOWN_DRAIN_DEADLINE: '2s',
      AWS_REQUEST_TIMEOUT: '300s',
    });
    proxy.addRule({ action: 'DescribeInstances', fault: { kind: 'hang' } });
    await expect
      .poll(() => proxy.calls('DescribeInstances').filter((c) => c.outcomes.includes('hung')).length, {
        timeout: 60_000,
        interval: 200,
      })
      .toBeGreaterThan(0);

    // Act: SIGTERM while the sweep is held; a command arrives once the process has begun shutting down.
    proc.proc.kill('SIGTERM');
    await proc.waitForLog('shutting down');
    const during = await postSlackEvent(port, slashCommandBody('help')).then(
      (r) => r.status,
      () => 'refused',
    );
    const exit = await proc.exited;
    const leftUndone = proc
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message: string; left?: string[] })
      .filter((l) => l.message === 'shutdown deadline passed; work left undone');

    // Assert: refused while the sweep still held shutdown; one warning names the sweep; a clean exit.
    expect([503, 'refused']).toContain(during);
    expect(leftUndone).toHaveLength(1);
    expect(leftUndone[0]!.left).toEqual(['reconcile sweep']);
    expect(
      proxy
        .calls('DescribeInstances')
        .filter((c) => c.outcomes.includes('forwarded') && c.outcomes.includes('hung')),
    ).toEqual([]);
    expect(proc.stdout()).toContain('single process stopped');
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
