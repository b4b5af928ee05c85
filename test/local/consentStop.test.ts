/**
 * Consented stops in the single process, on moto EC2 and a SQLite temp file:
 * the stop schedule lives in the database, so a restart loses nothing, and
 * the in-process scheduler fires the warning and the stop as the virtual clock
 * reaches them. StopInstances calls are counted by the proxy in front of moto.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import type { TimerFunctions } from '../../src/local/singleTimer.js';
import { createLogger } from '../../src/log.js';
import { ClockTimers } from '../support/clockTimers.js';
import { RecordingNotifier, VirtualClock } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { launchTagged, localConfig, useLocalProcess } from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';

const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };

describe('consented stops in the single process', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-consent-');
  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  function start(clock: VirtualClock, timers?: TimerFunctions) {
    return startSingleProcess({
      config: localConfig(local.dir),
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      notifiers: [{ name: 'recording', notifier: new RecordingNotifier(), delivers: true }],
      timers,
    });
  }

  async function launch() {
    const [instance] = await launchTagged(new EC2Client(proxy.get().clientConfig), {
      Monitor: 'true',
      Name: 'render-1',
    });
    return {
      region: 'us-east-1',
      instanceId: instance!.InstanceId!,
      launchTime: instance!.LaunchTime!.toISOString(),
    };
  }

  it('a restart loses nothing: the stop falls due while the process is down and is carried out at start', async () => {
    // Arrange
    const run = await launch();
    const clock = new VirtualClock(new Date(Date.parse(run.launchTime) + 60_000));
    const stopAt = new Date(clock.now().getTime() + 2 * 3600_000).toISOString();
    const first = await start(clock);
    const given = await first.consents.consents.give(run, { kind: 'at', at: stopAt }, ana);
    await first.stop();

    // Act
    clock.advance(3 * 3600);
    const second = await start(clock);
    local.app = second;
    const record = await second.service.get(run);

    // Assert
    expect(given.status).toBe('done');
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(record?.state).toMatch(/stopping|stopped/);
    expect(record?.lastStop?.consent).toEqual({
      kind: 'at',
      by: ana,
      givenAt: new Date(Date.parse(run.launchTime) + 60_000).toISOString(),
    });
    expect(await second.stopScheduler.list()).toEqual([]);
  });

  it('the in-process scheduler warns, then stops once, as the clock reaches each', async () => {
    // Arrange
    const run = await launch();
    const clock = new VirtualClock(new Date(Date.parse(run.launchTime) + 60_000));
    const timers = new ClockTimers(clock);
    const app = await start(clock, timers);
    local.app = app;
    const stopAt = new Date(clock.now().getTime() + 3600_000);
    await app.consents.consents.give(run, { kind: 'at', at: stopAt.toISOString() }, ana);

    // Act
    await timers.advanceTo(new Date(stopAt.getTime() - 10 * 60_000).toISOString(), app);
    const warned = await app.service.get(run);
    const stopsBefore = proxy.get().count('StopInstances').forwarded;
    await timers.advanceTo(stopAt.toISOString(), app);

    // Assert
    expect(warned?.stopConsent?.warnedAt).toBe(new Date(stopAt.getTime() - 10 * 60_000).toISOString());
    expect(stopsBefore).toBe(0);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect((await app.service.get(run))?.lastStop?.by).toEqual(ana);
  });
});
