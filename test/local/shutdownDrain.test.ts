/**
 * SIGTERM while a slash command's answer is still on its way: `lightsout
 * start` as its own process, moto behind the fault proxy, the loopback Slack
 * Web API. The command was acknowledged with "Working on it…" while EC2 held
 * its call; shutdown waits for it, so the answer still reaches the command's
 * response_url before the process says it stopped, and it exits 0.
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

  it('waits for a slash command answered late, whose answer still arrives through response_url', {
    timeout: 180_000,
  }, async () => {
    // Arrange: the process is up and its first sweep is done; then EC2 hangs.
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
});
