/**
 * The consent controls on a Teams nag card, end to end: real `invoke`
 * Activities (Action.Execute) POSTed into the real CloudAdapter, replies
 * captured on the loopback Bot Connector, the consent service over the
 * SQLite-kept stop schedules (fired by the test), EC2 on moto. Stop at… (menu
 * and Input.Time), Cancel, +1h (on the card and on the warning reply), Stop
 * when idle, an old run's card, and the `stop --at / --when-idle / --cancel`
 * commands.
 */
import { describe, expect, it } from 'vitest';
import { HOUR } from '../../../src/core/duration.js';
import { encodeRunToken } from '../../../src/core/message/runToken.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { cardsOf } from '../../support/adaptiveCards.js';
import { execute, mention } from './activities.js';
import { cardText, findAction, subscribeOps, useTeamsWorld } from './teamsHarness.js';

const h = useTeamsWorld({ consents: true });

/** A nagged web-1 with its card; `click` presses an Action.Execute of it with the given inputs. */
async function nagged() {
  await subscribeOps(h);
  const record = await h.world.launch();
  h.connector.reset();
  await h.world.core.delivery.deliverNag(buildNagNotification(record, h.world.now));
  const post = h.connector.sent.at(-1)!;
  const card = cardsOf(post.activity)[0];
  const token = (findAction(card, 'Snooze')!.data as { token: string }).token;
  const click = async (verb: string, data: Record<string, unknown> = {}, cardId = post.id) => {
    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, { verb, data: { token, ...data } }),
    );
    return res.body!.value;
  };
  return { record, card, token, click };
}

const consentOf = async (record: { region: string; instanceId: string }) =>
  (await h.world.instances.get(record))?.stopConsent;

describe('consent controls on a Teams nag card', () => {
  it('offers Stop at… (menu and time), Stop when idle, and no Cancel while nothing is scheduled', async () => {
    const { card } = await nagged();

    expect(cardText(card)).toContain('"id":"stopAtChoice"');
    expect(cardText(card)).toContain('"type":"Input.Time"');
    expect(findAction(card, 'Stop when idle (30m)')).toBeDefined();
    expect(findAction(card, 'Cancel stop')).toBeUndefined();
  });

  it('Stop at… in 2 hours schedules it; the warning reply carries Cancel and +1h; +1h moves it and it stops once', async () => {
    // Arrange
    const { record, click } = await nagged();
    const stopAt = new Date(h.world.now.getTime() + 2 * HOUR * 1000).toISOString();

    // Act: the menu, then the warning fires, then +1h on the warning reply.
    const answered = await click('lightsout.stopAt', { stopAtChoice: 'in-2h' });
    const [schedule] = await h.world.stopScheduler!.list();
    h.world.setNow(new Date(Date.parse(stopAt) - 10 * 60_000));
    await h.world.consents!.handleFiring({ ...schedule!, kind: 'warn' });
    h.connector.reset();
    await h.world.deliverConsentEvents();
    const reply = h.connector.sent.find((a) => cardText(a.activity).includes('lightsout.postponeStop'))!;
    const plus = findAction(cardsOf(reply.activity)[0], '+1h')!;
    const moved = await h.world.post(
      execute(h.connector.serviceUrl, reply.id, {
        verb: String(plus.verb),
        data: plus.data as Record<string, unknown>,
      }),
    );
    const movedTo = new Date(Date.parse(stopAt) + HOUR * 1000).toISOString();
    const afterMove = await h.world.stopScheduler!.list();
    h.world.setNow(new Date(stopAt));
    const atOldTime = await h.world.consents!.handleFiring({ ...schedule!, kind: 'stop' });
    h.world.setNow(new Date(movedTo));
    const atNewTime = await h.world.consents!.handleFiring({ ...schedule!, kind: 'stop', stopAt: movedTo });

    // Assert
    expect(cardText(answered)).toContain(
      `Stop scheduled for {{DATE(${stopAt.replace('.000Z', 'Z')}, SHORT)}}`,
    );
    expect(findAction(answered, 'Cancel stop')).toBeDefined();
    expect(findAction(answered, '+1h')).toBeDefined();
    expect(schedule!.stopAt).toBe(stopAt);
    expect(cardText(reply.activity)).toContain('stops in 10m');
    expect(findAction(cardsOf(reply.activity)[0], 'Cancel stop')).toBeDefined();
    expect(cardText(moved.body!.value)).toContain('Postponed to');
    expect(findAction(moved.body!.value, '+1h')).toBeUndefined();
    expect(afterMove).toMatchObject([{ stopAt: movedTo }]);
    expect(await h.world.stopScheduler!.list()).toEqual([]);
    expect(atOldTime.act).toBe('nothing');
    expect(atNewTime.act).toBe('stop');
    expect(h.world.stopCalls).toEqual([{ ids: [record.instanceId], hibernate: false }]);
  });

  it('the time input means that time in the clicker’s own zone (Teams says Europe/Berlin), next occurrence', async () => {
    const { record, click } = await nagged();

    await click('lightsout.stopAtTime', { stopAtTime: '20:00' });

    // 20:00 in Berlin in December is 19:00 UTC.
    const next = new Date(h.world.now);
    next.setUTCHours(19, 0, 0, 0);
    if (next.getTime() <= h.world.now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
    expect(await consentOf(record)).toMatchObject({ kind: 'at', at: next.toISOString() });
  });

  it('Cancel withdraws the stop: no schedule is left and the card says who cancelled', async () => {
    const { record, click } = await nagged();
    await click('lightsout.stopAt', { stopAtChoice: 'in-1h' });

    const answered = await click('lightsout.cancelStop');

    expect(await consentOf(record)).toBeUndefined();
    expect(await h.world.stopScheduler!.list()).toEqual([]);
    expect(cardText(answered)).toContain('Scheduled stop cancelled by Alice Example');
    expect(findAction(answered, 'Stop then')).toBeDefined();
    expect(h.world.stopCalls).toEqual([]);
  });

  it('Stop when idle gives the idle consent with the default window; the card offers Cancel, not +1h', async () => {
    const { record, click } = await nagged();

    const answered = await click('lightsout.stopWhenIdle');

    expect(await consentOf(record)).toMatchObject({ kind: 'idle', forSeconds: 1800 });
    expect(cardText(answered)).toContain('Stop when idle for 30m, consented by Alice Example');
    expect(findAction(answered, 'Cancel stop')).toBeDefined();
    expect(findAction(answered, '+1h')).toBeUndefined();
  });

  it('a click on an earlier run’s card gets the stale answer and changes nothing', async () => {
    const { record, click } = await nagged();
    const weekOld = encodeRunToken({
      region: record.region,
      instanceId: record.instanceId,
      launchTime: new Date(Date.parse(record.launchTime) - 7 * 24 * HOUR * 1000).toISOString(),
      group: 'web',
    });

    const answered = await click('lightsout.stopAt', { token: weekOld, stopAtChoice: 'in-1h' });

    expect(cardText(answered)).toContain('Nothing done');
    expect(cardText(answered)).toContain('was restarted since this message was posted');
    expect(await consentOf(record)).toBeUndefined();
    expect(await h.world.stopScheduler!.list()).toEqual([]);
  });
});

describe('stop --at / --when-idle / --cancel over Teams', () => {
  /** The text of the answer to `@Lights Out <command>`. */
  async function ask(command: string) {
    h.connector.reset();
    await h.world.post(mention(h.connector.serviceUrl, command));
    return String(h.connector.sent.at(-1)!.activity.text ?? '');
  }

  it('schedules at the time in the asker’s zone, gives the idle consent, and cancels', async () => {
    // Arrange
    await subscribeOps(h);
    const record = await h.world.launch();

    // Act
    const at = await ask('stop web-1 --at 20:00');
    const scheduled = await consentOf(record);
    const idle = await ask('stop web-1 --when-idle --for 45m');
    const idleConsent = await consentOf(record);
    const cancelled = await ask('stop web-1 --cancel');
    const again = await ask('stop web-1 --cancel');

    // Assert
    expect(at).toContain('Stop scheduled for 20:00');
    expect(new Date(scheduled?.kind === 'at' ? scheduled.at : 0).getUTCHours()).toBe(19);
    expect(idle).toContain('Stop when idle for 45m: web-1');
    expect(idleConsent).toMatchObject({ kind: 'idle', forSeconds: 45 * 60 });
    expect(cancelled).toContain('Scheduled stop cancelled by');
    expect(await consentOf(record)).toBeUndefined();
    expect(again).toContain('No stop is scheduled for this run');
    expect(await h.world.stopScheduler!.list()).toEqual([]);
  });
});
