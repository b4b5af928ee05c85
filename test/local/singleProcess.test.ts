/**
 * The single process on moto EC2 and a SQLite temp file: the sweep replaces
 * EventBridge, schedules survive a restart, and nags that fell due while the
 * process was down fire at start-up.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { RecordingNotifier, VirtualClock } from '../support/fakes.js';
import { launchTagged, localConfig, useLocalProcess } from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';

describe('single process', () => {
  const moto = useMoto();
  const local = useLocalProcess('lightsout-local-');
  beforeEach(() => moto.reset());

  async function launch(tags: Record<string, string>) {
    const ec2 = new EC2Client(moto.clientConfig);
    return { ec2, instance: (await launchTagged(ec2, tags))[0]! };
  }

  function start(clock: VirtualClock, notifier: RecordingNotifier) {
    const config = localConfig(local.dir);
    return startSingleProcess({
      config,
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      notifiers: [{ name: 'recording', notifier, delivers: true }],
    });
  }

  it('tracks by sweeping, keeps the schedule across a restart and fires an overdue nag at start-up', async () => {
    const { instance } = await launch({ Monitor: 'true', Threshold: '1', Name: 'build-1' });
    const launchTime = instance.LaunchTime!.toISOString();
    const clock = new VirtualClock(new Date(Date.parse(launchTime) + 60_000));
    const notifier = new RecordingNotifier();
    const key = { region: 'us-east-1', instanceId: instance.InstanceId! };

    const first = await start(clock, notifier);
    const scheduled = await first.scheduler.get(key);
    await first.stop();

    expect(scheduled?.dueAt).toBe(new Date(Date.parse(launchTime) + HOUR * 1000).toISOString());
    expect(notifier.sent).toHaveLength(0);

    clock.advance(2 * HOUR);
    const second = await start(clock, notifier);
    const record = await second.service.get(key);
    const next = await second.scheduler.get(key);
    await second.stop();

    expect(notifier.sent).toEqual([
      expect.objectContaining({ instanceId: key.instanceId, name: 'build-1', nagCount: 1 }),
    ]);
    expect(record).toMatchObject({ nagCount: 1, lastNagAt: clock.now().toISOString() });
    expect(next?.dueAt).toBe(new Date(clock.now().getTime() + HOUR * 1000).toISOString());
  });

  it('observes a stop through the sweep and publishes instance.stopped on the in-process bus', async () => {
    const { ec2, instance } = await launch({ Monitor: 'true' });
    const clock = new VirtualClock(new Date());
    const app = await start(clock, new RecordingNotifier());
    const events: string[] = [];
    app.bus.subscribe(async (e) => {
      events.push(`${e.type} ${e.record.instanceId}`);
    });

    await ec2.send(new StopInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    await app.sweep();
    const schedule = await app.scheduler.get({ region: 'us-east-1', instanceId: instance.InstanceId! });
    await app.stop();

    expect(events).toEqual([`instance.stopped ${instance.InstanceId}`]);
    expect(schedule).toBeUndefined();
  });

  function npmStart(env: Record<string, string>) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../../src/local/main.ts')],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, out: () => stdout, err: () => stderr };
  }

  it('starts with no chat config, logs to stdout, and shuts down cleanly on SIGTERM', async () => {
    const proc = npmStart({
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      DB_PATH: join(local.dir, 'data', 'lightsout.db'),
      // A sweep that repaired nothing logs its summary at debug only.
      LOG_LEVEL: 'debug',
    });
    // Waits for the first sweep, not a fixed time: a loaded machine can take tens of seconds to start it.
    for (let i = 0; i < 900 && !proc.out().includes('reconcile finished'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }

    proc.child.kill('SIGTERM');
    const code = await proc.exited;

    expect(proc.out()).toContain('"notifiers":["log"]');
    expect(proc.out()).toContain('single process stopped');
    expect(code).toBe(0);
  }, 120_000);

  it('refuses to start on bad config, naming the variable', async () => {
    const proc = npmStart({ REGIONS: 'moon-1', RECONCILE_EVERY: 'often', DB_PATH: join(local.dir, 'x.db') });

    const code = await proc.exited;

    expect(code).toBe(2);
    expect(proc.err()).toContain('REGIONS must list AWS region names such as us-east-1; got "moon-1"');
    expect(proc.err()).toContain('RECONCILE_EVERY must be a duration');
    expect(proc.err()).not.toMatch(/\n\s+at /);
  });
});
