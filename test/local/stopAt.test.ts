/**
 * Stop at a time from Slack in the single process, end to end: a signed
 * `/ec2 stop render-1 --in 2h` into the real Bolt receiver gives the consent,
 * the in-process scheduler (on the virtual clock) warns ten minutes before,
 * in the nag's thread through the fake Slack Web API, and then stops the
 * instance once (StopInstances counted at the fault proxy in front of moto).
 * A bad time gets a private answer saying what works.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/duration.js';
import type { SingleProcess } from '../../src/local/singleProcess.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import type { TimerFunctions } from '../../src/local/singleTimer.js';
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
import { slashCommandBody } from '../support/slackRequests.js';

/** Timers on the virtual clock: `advanceTo` moves it and runs the timers that fell due. */
class ClockTimers implements TimerFunctions {
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  constructor(readonly clock: VirtualClock) {}
  setTimeout = (fn: () => void, ms: number) => {
    this.pending.set(++this.seq, { at: this.clock.now().getTime() + ms, fn });
    return this.seq;
  };
  clearTimeout = (id: unknown) => {
    this.pending.delete(id as number);
  };
  async advanceTo(at: number, app: SingleProcess): Promise<void> {
    this.clock.advanceTo(new Date(at));
    for (;;) {
      const due = [...this.pending.entries()].find(([, t]) => t.at <= this.clock.now().getTime());
      if (!due) break;
      this.pending.delete(due[0]);
      due[1].fn();
      await app.stopScheduler.idle();
    }
    await app.stopScheduler.idle();
  }
}

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
