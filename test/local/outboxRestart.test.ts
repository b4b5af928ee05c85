/**
 * The outbox in the single process, with moto EC2 and the fake Slack Web API:
 * a stop written to the record but never delivered (the process died, or
 * Slack failed at that moment) still reaches the nag message, after a restart
 * on the same database file or after the retry's backoff.
 */
import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadEc2Client } from '../../src/aws/clients.js';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { HOUR } from '../../src/core/duration.js';
import { InProcessNagScheduler } from '../../src/local/inProcessNagScheduler.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteNagScheduleStore } from '../../src/sqlite/nagScheduleStore.js';
import { SqliteOutbox } from '../../src/sqlite/outbox.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { VirtualClock } from '../support/fakes.js';
import {
  launchTagged,
  localConfig,
  postSlackEvent as post,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';
import { slashCommandBody } from '../support/slackRequests.js';

const log = createLogger('test', 'ERROR');

describe('outbox in the single process', () => {
  const moto = useMoto();
  const local = useLocalProcess('lightsout-outbox-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
  });

  /** A running process with one instance nagged in #web; returns what the tests need. */
  async function naggedInstance() {
    const ec2 = new EC2Client(moto.clientConfig);
    const instance = (await launchTagged(ec2, { Monitor: 'true', MonitorGroup: 'web', Threshold: '1' }))[0]!;
    const clock = new VirtualClock(new Date(instance.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({ config, log, clock: clock.now });
    expect((await post(port, slashCommandBody('subscribe web'))).status).toBe(200);
    clock.advance(2 * HOUR);
    await local.app.service.runDueNags();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
    return { instanceId: instance.InstanceId!, clock, config };
  }

  const stoppedText = () => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.blocks ?? '');

  it('delivers after a restart an event whose process died between the record write and the delivery', async () => {
    // Arrange: the process stops; a second one writes the stop and dies before delivering it.
    const { instanceId, clock, config } = await naggedInstance();
    await local.app!.stop();
    local.app = undefined;
    const db = openDatabase(config.store.sqlitePath);
    const dying = new MonitorService({
      fleet: new Ec2Fleet(loadEc2Client),
      store: new SqliteInstanceStore(db, { clock: clock.now }),
      scheduler: new InProcessNagScheduler(new SqliteNagScheduleStore(db), { clock: clock.now, log }),
      notifier: { notify: async () => undefined },
      // The crash: nothing after the write runs, so nothing is delivered.
      events: { publish: async () => undefined },
      clock: clock.now,
      settings: config.monitor,
    });
    await dying.handleStateChange({
      region: 'us-east-1',
      instanceId,
      state: 'stopped',
      time: clock.now().toISOString(),
    });
    const left = await new SqliteOutbox(db).stats();
    db.close();
    const updatesBefore = slack.callsTo('chat.update').length;

    // Act: start again on the same database file.
    local.app = await startSingleProcess({ config, log, clock: clock.now });

    // Assert
    expect(left).toMatchObject({ depth: 1, oldestPending: { type: 'instance.stopped', attempts: 0 } });
    expect(updatesBefore).toBe(0);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    expect(stoppedText()).toContain('Stopped');
    expect(await local.app.outbox.outbox.stats()).toEqual({ depth: 0, failed: 0 });
  });

  it('keeps an event Slack refused at that moment, and delivers it after the backoff', async () => {
    // Arrange
    const { instanceId, clock } = await naggedInstance();
    slack.failNext('chat.update', { error: 'internal_error' });

    // Act: the stop is observed while Slack fails; then the retry falls due.
    await local.app!.service.handleStateChange({
      region: 'us-east-1',
      instanceId,
      state: 'stopped',
      time: clock.now().toISOString(),
    });
    const afterFailure = await local.app!.outbox.outbox.stats();
    const early = await local.app!.outbox.deliverer.drain();
    clock.advance(60);
    const later = await local.app!.outbox.deliverer.drain();

    // Assert
    expect(afterFailure).toMatchObject({
      depth: 1,
      oldestPending: { attempts: 1, lastError: expect.any(String) },
    });
    expect(early).toMatchObject({ delivered: 0, waiting: 1 });
    expect(later).toMatchObject({ delivered: 1 });
    expect(slack.callsTo('chat.update')).toHaveLength(2);
    expect(stoppedText()).toContain('Stopped');
    expect(await local.app!.outbox.outbox.stats()).toEqual({ depth: 0, failed: 0 });
  });

  it('reports readiness on /healthz: 503 while an event waits too long for delivery, 200 once it went out', async () => {
    // Arrange: Slack refuses the update of the stopped instance's message.
    const { instanceId, clock } = await naggedInstance();
    const healthz = async () => {
      const res = await fetch(`http://127.0.0.1:${local.app!.chat.port}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    slack.failNext('chat.update', { error: 'internal_error' });
    await local.app!.service.handleStateChange({
      region: 'us-east-1',
      instanceId,
      state: 'stopped',
      time: clock.now().toISOString(),
    });

    // Act
    const fresh = await healthz();
    clock.advance(11 * 60);
    const stale = await healthz();
    await local.app!.outbox.deliverer.drain();
    const recovered = await healthz();

    // Assert
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({
      ready: true,
      lastSweep: { ok: true },
      outbox: { depth: 1, oldestUndelivered: { type: 'instance.stopped', attempts: 1 } },
    });
    expect(stale.status).toBe(503);
    expect(stale.body.reasons).toEqual([expect.stringContaining('waited 660 s for delivery')]);
    expect(recovered).toMatchObject({
      status: 200,
      body: { ready: true, outbox: { depth: 0, oldestUndelivered: null } },
    });
  });
});
