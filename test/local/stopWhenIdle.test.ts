/**
 * Stop when idle in the single process, end to end: a signed `/ec2 stop
 * render-1 --when-idle --for 30m` into the real Bolt receiver, metrics
 * written into moto's CloudWatch with PutMetricData, the idle check warning
 * in the nag's thread through the fake Slack Web API, and the stop after the
 * grace period (StopInstances counted at the fault proxy in front of moto).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../support/cliProcess.js';
import { CloudWatchData } from '../support/cloudWatchData.js';
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
import { slashCommandBody } from '../support/slackRequests.js';

describe('stop when idle from Slack in the single process', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-idle-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  it('gives the consent from the command, warns in the thread once idle, and stops after the grace period', async () => {
    // Arrange: a nagged instance, quiet for the last hour by CloudWatch.
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (
      await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'render-1' })
    )[0]!;
    const start = Math.ceil((instance.LaunchTime!.getTime() + HOUR * 1000) / 300_000) * 300_000;
    const clock = new VirtualClock(new Date(start));
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    await post(port, slashCommandBody('subscribe web'));
    await local.app.service.runDueNags();
    await new CloudWatchData(moto.clientConfig).publish(
      instance.InstanceId!,
      new Date(start + HOUR * 1000),
      { fromMinutesAgo: 120 },
      () => ({ cpu: 0.3, network: 1_500 }),
    );

    // Act
    const answer = await post(port, slashCommandBody('stop render-1 --when-idle --for 30m'));
    const first = await local.app.consents.idle.check.check();
    // The warning went into the outbox with the record; deliver it now rather than at the next poll.
    await local.app.outbox.deliverer.drain();
    clock.advance(10 * MINUTE);
    const second = await local.app.consents.idle.check.check();

    // Assert
    expect(answer.status).toBe(200);
    const body = JSON.stringify(await answer.json());
    expect(body).toContain('Stop when idle for 30m: render-1');
    expect(body).toContain('Right now it is idle for the whole 30m');
    expect(first.warned).toEqual([`us-east-1/${instance.InstanceId}`]);
    await expect
      .poll(() => slack.callsTo('chat.postMessage').map((c) => String(c.args.text ?? '')))
      .toContainEqual(expect.stringContaining('has been idle for 30m and stops after a short grace period'));
    expect(second.stopped).toEqual([`us-east-1/${instance.InstanceId}: stopping`]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    const record = await local.app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! });
    expect(record?.lastStop?.consent).toMatchObject({
      kind: 'idle',
      by: { platform: 'slack', id: 'U0ALICE' },
    });
  });
});
