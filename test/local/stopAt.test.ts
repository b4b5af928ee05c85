/**
 * Stop at a time from Slack in the single process, end to end: a signed
 * `/ec2 stop render-1 --in 2h` into the real Bolt receiver gives the consent,
 * the in-process scheduler (on the virtual clock) warns ten minutes before,
 * in the nag's thread through the fake Slack Web API, and then stops the
 * instance once (StopInstances counted at the fault proxy in front of moto).
 * A bad time gets a private answer saying what works.
 */
import { EC2Client, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../support/cliProcess.js';
import { ClockTimers } from '../support/clockTimers.js';
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

describe('stop at a time from Slack in the single process', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-stopat-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  it('schedules from the command, warns in the thread ten minutes before, and stops once', async () => {
    // Arrange: a nagged instance.
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (
      await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'render-1' })
    )[0]!;
    const start = instance.LaunchTime!.getTime() + HOUR * 1000;
    const clock = new VirtualClock(new Date(start));
    const timers = new ClockTimers(clock);
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    const app = await startSingleProcess({
      config,
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      timers,
    });
    local.app = app;
    await post(port, slashCommandBody('subscribe web'));
    await app.service.runDueNags();

    // Act
    const answer = await post(port, slashCommandBody('stop render-1 --in 2h'));
    const stopAt = start + 2 * HOUR * 1000;
    await timers.advanceTo(stopAt - 10 * MINUTE * 1000, app);
    await app.outbox.deliverer.drain();
    const stopsAtWarning = proxy.get().count('StopInstances').forwarded;
    await timers.advanceTo(stopAt, app);

    // Assert
    expect(answer.status).toBe(200);
    expect(JSON.stringify(await answer.json())).toContain('Stop scheduled for');
    await expect
      .poll(() => slack.callsTo('chat.postMessage').map((c) => String(c.args.text ?? '')))
      .toContainEqual(expect.stringContaining(`render-1 (${instance.InstanceId}) stops in 10m`));
    expect(stopsAtWarning).toBe(0);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    const record = await app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! });
    expect(record?.lastStop?.consent).toMatchObject({ kind: 'at', by: { platform: 'slack', id: 'U0ALICE' } });
  });

  // Nagged: the record already says so. Not yet nagged: only EC2 knows, and the consent asks it.
  it.each([
    ['nagged', true],
    ['not yet nagged', false],
  ])(
    'refuses --in and --when-idle on a stop-protected instance (%s) with the reason, and schedules nothing',
    async (_, nagFirst) => {
      // Arrange: an instance with DisableApiStop.
      const ec2 = new EC2Client(moto.clientConfig);
      const instance = (
        await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'render-1' })
      )[0]!;
      await ec2.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instance.InstanceId,
          DisableApiStop: { Value: true },
        }),
      );
      const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + HOUR * 1000));
      const port = await freePort();
      const app = await startSingleProcess({
        config: localConfig(local.dir, slackHttpEnv(slack, port)),
        log: createLogger('test', 'ERROR'),
        clock: clock.now,
        timers: new ClockTimers(clock),
      });
      local.app = app;
      await post(port, slashCommandBody('subscribe web'));
      if (nagFirst) await app.service.runDueNags();

      // Act
      const at = await post(port, slashCommandBody('stop render-1 --in 2h'));
      const idle = await post(port, slashCommandBody('stop render-1 --when-idle'));

      // Assert: a private answer naming DisableApiStop, and no consent or schedule left behind.
      for (const answer of [at, idle]) {
        const body = (await answer.json()) as { response_type?: string };
        expect(body.response_type).toBe('ephemeral');
        expect(JSON.stringify(body)).toContain('stop-protected (DisableApiStop)');
      }
      expect(await app.stopScheduler.list()).toEqual([]);
      const record = await app.service.get({ region: 'us-east-1', instanceId: instance.InstanceId! });
      expect(record?.stopProtected).toBe(nagFirst ? true : undefined);
      expect(record?.stopConsent).toBeUndefined();
    },
  );

  it('answers a time that is not one privately, with what works, and schedules nothing', async () => {
    const ec2 = new EC2Client(moto.clientConfig);
    await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Name: 'render-1' });
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });

    const answer = await post(port, slashCommandBody('stop render-1 --at 7pm'));

    const body = (await answer.json()) as { response_type?: string };
    expect(body.response_type).toBe('ephemeral');
    expect(JSON.stringify(body)).toContain('--at \\"7pm\\" is not a 24-hour time');
    expect(JSON.stringify(body)).toContain('e.g. --at 19:00');
    expect(await local.app.stopScheduler.list()).toEqual([]);
  });
});
