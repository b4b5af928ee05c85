/**
 * The consent controls on a Slack nag in the single process, end to end:
 * signed `block_actions` into the real Bolt receiver (HTTP mode), the Web API
 * on the loopback fake, schedules kept in SQLite and fired by the in-process
 * scheduler on a virtual clock, StopInstances counted at the proxy in front
 * of moto. "Stop at…" (menu and time picker), Cancel, +1h (on the nag and on
 * the warning reply), "Stop when idle", a click on an old run's message, and
 * Cancel and +1h pressed at once.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/core/duration.js';
import { encodeRunToken } from '../../src/core/message/runToken.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { SqliteAuditLog } from '../../src/sqlite/auditLog.js';
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
import { blockActionBody, slashCommandBody } from '../support/slackRequests.js';

type Block = { type: string; block_id?: string; elements?: { action_id?: string }[] };

describe('consent controls on a Slack nag, single process', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-consent-ui-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  /** A nagged render-1 in group web, the process on a virtual clock an hour after launch. */
  async function nagged(tags: Record<string, string> = {}) {
    const ec2 = new EC2Client(proxy.get().clientConfig);
    const instance = (
      await launchTagged(ec2, {
        Monitor: 'true',
        MonitorGroup: 'web',
        Threshold: '1',
        Name: 'render-1',
        ...tags,
      })
    )[0]!;
    const start = instance.LaunchTime!.getTime() + HOUR * 1000;
    const clock = new VirtualClock(new Date(start));
    const timers = new ClockTimers(clock);
    const port = await freePort();
    const app = await startSingleProcess({
      config: localConfig(local.dir, slackHttpEnv(slack, port)),
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      timers,
    });
    local.app = app;
    await post(port, slashCommandBody('subscribe web'));
    await app.service.runDueNags();
    const key = { region: 'us-east-1', instanceId: instance.InstanceId! };
    const ref = (await app.service.get(key))!.chatRefs[0]!;
    const posted = slack.callsTo('chat.postMessage').at(-1)!;
    const actions = (posted.args.blocks as Block[]).find((b) => b.type === 'actions')!;
    const click = (actionId: string, extra: Partial<Parameters<typeof blockActionBody>[0]> = {}) =>
      post(
        port,
        blockActionBody({
          actionId,
          blockId: actions.block_id!,
          messageTs: ref.messageId,
          responseUrl: slack.responseUrl(),
          actionTs: `${Math.random()}`,
          ...extra,
        }),
      );
    return { app, ec2, instance, key, start, clock, timers, port, actions, ref, click };
  }

  const lastUpdate = () => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args ?? {});
  const ephemerals = () => slack.callsTo('chat.postEphemeral').map((c) => String(c.args.text));

  it('offers Stop at…, a time picker and Stop when idle on a live nag, and nothing scheduled yet', async () => {
    const { actions, app } = await nagged();

    const ids = actions.elements!.map((e) => e.action_id);

    expect(ids).toEqual(
      expect.arrayContaining(['lightsout.stopAt', 'lightsout.stopAtTime', 'lightsout.stopWhenIdle']),
    );
    expect(ids).not.toContain('lightsout.cancelStop');
    expect(await app.stopScheduler.list()).toEqual([]);
  });

  it('Stop at… in 2 hours schedules it, the warning carries +1h and Cancel, +1h moves it, and it stops once', async () => {
    // Arrange
    const { app, key, start, timers, click } = await nagged();

    // Act: the menu, then +1h on the warning reply in the thread.
    expect((await click('lightsout.stopAt', { selected: 'in-2h' })).status).toBe(200);
    await expect.poll(async () => (await app.service.get(key))?.stopConsent?.kind).toBe('at');
    await expect.poll(lastUpdate).toContain('lightsout.cancelStop');
    const scheduled = lastUpdate();
    const stopAt = start + 2 * HOUR * 1000;
    await timers.advanceTo(stopAt - 10 * MINUTE * 1000, app);
    await app.outbox.deliverer.drain();
    const warningReply = () => slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts);
    await expect.poll(warningReply).toBeDefined();
    const warning = warningReply()!;
    const warningActions = (warning.args.blocks as Block[]).find((b) => b.type === 'actions')!;
    await click('lightsout.postponeStop', {
      blockId: warningActions.block_id!,
      messageTs: '1700000000.999999',
      value: 'warning',
      user: 'U0BO',
    });
    await expect
      .poll(async () => (await app.service.get(key))?.stopConsent)
      .toMatchObject({ at: new Date(stopAt + HOUR * 1000).toISOString() });
    await app.outbox.deliverer.drain();
    await timers.advanceTo(stopAt, app);
    const stopsAtOldTime = proxy.get().count('StopInstances').forwarded;
    await timers.advanceTo(stopAt + HOUR * 1000, app);

    // Assert
    expect(scheduled).toContain('Stop scheduled for <!date^');
    expect(scheduled).toContain('lightsout.cancelStop');
    expect(String(warning.args.text)).toContain('stops in 10m');
    expect(warningActions.elements!.map((e) => e.action_id)).toEqual([
      'lightsout.cancelStop',
      'lightsout.postponeStop',
    ]);
    await expect
      .poll(() =>
        slack
          .callsTo('chat.update')
          .filter((c) => c.args.ts === '1700000000.999999')
          .map((c) => String(c.args.text)),
      )
      .toContainEqual(expect.stringContaining('Postponed to'));
    expect(
      slack.callsTo('chat.update').some((c) => JSON.stringify(c.args).includes('Postponed to <!date^')),
    ).toBe(true);
    expect(stopsAtOldTime).toBe(0);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect((await app.service.get(key))?.lastStop?.consent).toMatchObject({ kind: 'at' });
  });

  it('the time picker means that clock time in the clicker’s own zone, next occurrence', async () => {
    const { app, key, start, click } = await nagged();
    slack.userTimeZones.set('U0KEN', 'Asia/Tokyo');

    await click('lightsout.stopAtTime', { selectedTime: '23:30', user: 'U0KEN' });

    // start is an hour after launch; the next 23:30 in Tokyo (UTC+9) is the next 14:30 UTC.
    const next = new Date(start);
    next.setUTCHours(14, 30, 0, 0);
    if (next.getTime() <= start) next.setUTCDate(next.getUTCDate() + 1);
    await expect.poll(() => ephemerals().length).toBe(1);
    await expect
      .poll(async () => (await app.service.get(key))?.stopConsent)
      .toMatchObject({ kind: 'at', at: next.toISOString(), by: { platform: 'slack', id: 'U0KEN' } });
    expect((await app.stopScheduler.list()).map((s) => s.stopAt)).toEqual([next.toISOString()]);
  });

  it('Cancel withdraws the stop: no schedule is left, the message says who, and nothing stops', async () => {
    // Arrange
    const { app, key, start, timers, click } = await nagged();
    await click('lightsout.stopAt', { selected: 'in-1h' });
    await expect.poll(async () => (await app.service.get(key))?.stopConsent?.kind).toBe('at');

    // Act
    await click('lightsout.cancelStop', { user: 'U0BO' });
    await expect.poll(async () => (await app.service.get(key))?.stopConsent).toBeUndefined();
    await timers.advanceTo(start + 2 * HOUR * 1000, app);

    // Assert
    expect(await app.stopScheduler.list()).toEqual([]);
    await expect.poll(lastUpdate).toContain('Scheduled stop cancelled by <@U0BO>');
    expect(lastUpdate()).toContain('lightsout.stopAt');
    expect(proxy.get().count('StopInstances').forwarded).toBe(0);
    await expect.poll(ephemerals).toContainEqual(expect.stringContaining('Scheduled stop cancelled by @'));
  });

  it('Stop when idle gives the idle consent with the default window, and Cancel is then offered without +1h', async () => {
    const { app, key, click } = await nagged();

    await click('lightsout.stopWhenIdle');

    await expect
      .poll(async () => (await app.service.get(key))?.stopConsent)
      .toMatchObject({ kind: 'idle', forSeconds: 30 * MINUTE, by: { id: 'U0ALICE' } });
    await expect.poll(lastUpdate).toContain('Stop when idle for 30m, consented by <@U0ALICE>');
    expect(lastUpdate()).toContain('lightsout.cancelStop');
    expect(lastUpdate()).not.toContain('lightsout.postponeStop');
  });

  it('a click on a week-old message of an earlier run gets the stale answer and changes nothing', async () => {
    // Arrange: the message was posted for the run launched a week before this one.
    const { app, instance, key, click } = await nagged();
    const weekOld = encodeRunToken({
      ...key,
      launchTime: new Date(instance.LaunchTime!.getTime() - 7 * DAY * 1000).toISOString(),
      group: 'web',
    });
    const before = proxy.get().count('StopInstances').forwarded;

    // Act
    await click('lightsout.stopAt', { selected: 'in-1h', blockId: weekOld });
    await click('lightsout.stopWhenIdle', { blockId: weekOld });

    // Assert
    await expect.poll(() => ephemerals().filter((t) => t.startsWith('Nothing done')).length).toBe(2);
    expect((await app.service.get(key))?.stopConsent).toBeUndefined();
    expect(await app.stopScheduler.list()).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(before);
  });

  it('Cancel and +1h pressed at once end in one consistent state, with one audit entry each', async () => {
    // Arrange
    const { app, key, start, timers, click } = await nagged();
    await click('lightsout.stopAt', { selected: 'in-2h' });
    await expect.poll(async () => (await app.service.get(key))?.stopConsent?.kind).toBe('at');
    const audit = new SqliteAuditLog(app.db);
    const before = (await audit.recent(1000)).length;

    // Act
    await Promise.all([
      click('lightsout.cancelStop', { user: 'U0BO' }),
      click('lightsout.postponeStop', { user: 'U0CY' }),
    ]);
    await expect.poll(() => ephemerals().length).toBeGreaterThanOrEqual(3);
    await timers.advanceTo(start + 4 * HOUR * 1000, app);

    // Assert: whichever came first, the stop is cancelled and nothing is left to fire.
    const entries = (await audit.recent(1000)).slice(0, (await audit.recent(1000)).length - before);
    expect(entries.filter((e) => e.actor === 'slack:U0BO')).toHaveLength(1);
    expect(entries.filter((e) => e.actor === 'slack:U0CY')).toHaveLength(1);
    expect((await app.service.get(key))?.stopConsent).toBeUndefined();
    expect(await app.stopScheduler.list()).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(0);
  });

  it('status offers the same consent controls as the nag', async () => {
    const { port } = await nagged();

    const status = JSON.stringify(await (await post(port, slashCommandBody('status render-1'))).json());

    expect(status).toContain('lightsout.stopAt');
    expect(status).toContain('lightsout.stopWhenIdle');
  });

  it('one rule for every stop: the owner may schedule and cancel from anywhere, others only where the group is followed', async () => {
    // Arrange: C0ELSE follows no group; the Owner tag names U0ANAOWNER.
    const { app, key, port } = await nagged({ Owner: 'U0ANAOWNER' });
    const elsewhere = { channel: 'C0ELSE' };

    // Act
    const stranger = await post(
      port,
      slashCommandBody('stop render-1 --in 2h', { ...elsewhere, user: 'U0BO' }),
    );
    const strangerConsent = (await app.service.get(key))?.stopConsent;
    const owner = await post(
      port,
      slashCommandBody('stop render-1 --in 2h', { ...elsewhere, user: 'U0ANAOWNER' }),
    );
    const ownerConsent = (await app.service.get(key))?.stopConsent;
    const strangerCancel = await post(
      port,
      slashCommandBody('stop render-1 --cancel', { ...elsewhere, user: 'U0BO' }),
    );

    // Assert
    expect(JSON.stringify(await stranger.json())).toContain('This channel is not subscribed to group');
    expect(strangerConsent).toBeUndefined();
    expect(JSON.stringify(await owner.json())).toContain('Stop scheduled for');
    expect(ownerConsent).toMatchObject({ kind: 'at', by: { id: 'U0ANAOWNER' } });
    expect(JSON.stringify(await strangerCancel.json())).toContain('This channel is not subscribed to group');
    expect((await app.service.get(key))?.stopConsent).toMatchObject({ kind: 'at' });
  });

  it('stop --cancel is the command twin of Cancel', async () => {
    const { app, key, port } = await nagged();
    await post(port, slashCommandBody('stop render-1 --in 2h'));

    const answer = await post(port, slashCommandBody('stop render-1 --cancel', { user: 'U0BO' }));

    expect(JSON.stringify(await answer.json())).toContain('Scheduled stop cancelled by @');
    expect((await app.service.get(key))?.stopConsent).toBeUndefined();
    expect(await app.stopScheduler.list()).toEqual([]);
  });
});
