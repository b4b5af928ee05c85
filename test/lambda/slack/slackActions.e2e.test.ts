import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextWallTime, tomorrowAt } from '../../../src/chat/core/zonedTime.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { useMoto } from '../../support/moto.js';
import { blockActionBody, FORM, lambdaEvent, sign, slashCommandBody } from '../../support/slackRequests.js';
import { buildWorld, type SlackLambdaWorld, snsEvent, startFakeSlackApi } from './lambdaHarness.js';

const moto = useMoto();
let slack: FakeSlackApi;
let world: SlackLambdaWorld;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  world = await buildWorld(moto, slack, { SLACK_STOP_ALLOW: 'db=U0DBA' });
  await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
  await world.events(lambdaEvent(slashCommandBody('subscribe db'), FORM));
});

const textOf = (v: unknown) => JSON.stringify(v);

async function nagged(name: string, group = 'web') {
  const record = await world.launch(name, group);
  await world.notify(snsEvent(`sns-${name}`, buildNagNotification(record, new Date())));
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const token = (post.args.blocks as { type: string; block_id?: string }[]).find((b) => b.type === 'actions')!
    .block_id!;
  const ts = (await world.store.get(record))!.chatRefs[0]!.messageId;
  return { record, token, ts };
}

function click(
  actionId: string,
  token: string,
  ts: string,
  opts: { selected?: string; channel?: string; user?: string } = {},
) {
  return world.events(
    lambdaEvent(
      blockActionBody({ actionId, blockId: token, messageTs: ts, responseUrl: slack.responseUrl(), ...opts }),
      FORM,
    ),
  );
}

describe('Slack buttons', () => {
  it('snoozes until 09:00 tomorrow in the clicker’s own time zone and moves the schedule', async () => {
    // Arrange
    const { record, token, ts } = await nagged('web-1');
    slack.userTimeZones.set('U0ALICE', 'America/Los_Angeles');

    // Act
    const res = await click('lightsout.snooze', token, ts, { selected: 'tomorrow-09:00' });

    // Assert
    expect(res.statusCode).toBe(200);
    const expected = tomorrowAt(new Date(), 9, 0, 'America/Los_Angeles');
    const stored = await world.store.get(record);
    expect(Date.parse(stored!.snoozedUntil!)).toBe(expected.getTime());
    expect(Date.parse((await world.scheduler.get(record))!.dueAt)).toBeGreaterThanOrEqual(expected.getTime());
    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain(
      `Snoozed by <@U0ALICE> until <!date^${expected.getTime() / 1000}^{date_short_pretty} {time}`,
    );
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(
      /^Snoozed web-1 \(i-\w+\) until tomorrow 09:00\.$/,
    );
  });

  it('snoozes until a picked time through the "Until a time…" modal', async () => {
    // Arrange
    const { record, token, ts } = await nagged('web-modal');
    slack.userTimeZones.set('U0CAROL', 'Asia/Tokyo');
    await click('lightsout.snooze', token, ts, { selected: 'custom', user: 'U0CAROL' });
    const opened = slack.callsTo('views.open').at(-1)!.args as {
      trigger_id: string;
      view: { callback_id: string; private_metadata: string };
    };
    const submission = JSON.stringify({
      type: 'view_submission',
      team: { id: 'T0TEAM', domain: 'acme' },
      user: { id: 'U0CAROL', username: 'carol', name: 'carol', team_id: 'T0TEAM' },
      api_app_id: 'A0APP',
      token: 'deprecated-verification-token',
      trigger_id: 'trigger-view',
      view: {
        id: 'V0MODAL',
        type: 'modal',
        callback_id: opened.view.callback_id,
        private_metadata: opened.view.private_metadata,
        hash: '1700000000.abc',
        state: { values: { until: { time: { type: 'timepicker', selected_time: '18:30' } } } },
      },
      response_urls: [],
    });

    // Act
    const res = await world.events(
      lambdaEvent(new URLSearchParams({ payload: submission }).toString(), FORM),
    );

    // Assert
    expect(opened.trigger_id).toMatch(/^trigger-/);
    expect(res.statusCode).toBe(200);
    const expected = nextWallTime(new Date(), 18, 30, 'Asia/Tokyo');
    expect(Date.parse((await world.store.get(record))!.snoozedUntil!)).toBe(expected.getTime());
    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain('Snoozed by <@U0CAROL>');
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({
      user: 'U0CAROL',
      text: expect.stringContaining('until 18:30'),
    });
  });

  it('extends the threshold of this run and moves the schedule', async () => {
    // Arrange
    const { record, token, ts } = await nagged('web-2');
    const before = await world.scheduler.get(record);

    // Act
    await click('lightsout.extend', token, ts, { selected: '4h' });

    // Assert
    const stored = await world.store.get(record);
    expect(stored!.extensionSeconds).toBe(4 * 3600);
    const after = await world.scheduler.get(record);
    expect(Date.parse(after!.dueAt) - Date.parse(before!.dueAt)).toBe(4 * 3600 * 1000);
    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain(
      'Threshold extended to 16h by <@U0ALICE>',
    );
  });

  it('does nothing for a stale button, shows the current state and tells the clicker privately', async () => {
    // Arrange: the instance was stopped from the console and the engine saw it.
    const { record, token, ts } = await nagged('web-3');
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: ts,
          responseUrl: slack.responseUrl(),
          actionTs: '1.1',
        }),
        FORM,
      ),
    );
    await world.engine.handleStateChange({
      region: record.region,
      instanceId: record.instanceId,
      state: 'stopped',
      time: new Date().toISOString(),
    });
    slack.reset();

    // Act: someone presses Extend on the old message.
    const res = await click('lightsout.extend', token, ts, { selected: '2h', user: 'U0BOB' });

    // Assert
    expect(res.statusCode).toBe(200);
    expect((await world.store.get(record))!.extensionSeconds).toBe(0);
    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).not.toContain('lightsout.extend');
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({
      user: 'U0BOB',
      text: expect.stringMatching(/^Nothing done: web-3 \(i-\w+\) is no longer running/),
    });
  });

  it('refuses a click from a channel not subscribed to the group, privately and with the reason', async () => {
    const { record, token, ts } = await nagged('web-4');

    await click('lightsout.stop', token, ts, { channel: 'C0OTHER' });

    expect(await world.instanceState(record.instanceId)).toBe('running');
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({
      channel: 'C0OTHER',
      text: expect.stringContaining('not subscribed to group `web`'),
    });
  });

  it('enforces the per-group stop allow-list', async () => {
    const { record, token, ts } = await nagged('db-1', 'db');

    await click('lightsout.stop', token, ts, { user: 'U0ALICE' });
    const stateAfterAlice = await world.instanceState(record.instanceId);
    await click('lightsout.stop', token, ts, { user: 'U0DBA' });

    expect(stateAfterAlice).toBe('running');
    expect(slack.callsTo('chat.postEphemeral').find((c) => c.args.user === 'U0ALICE')!.args.text).toContain(
      'stop allow-list of group `db`',
    );
    expect(['stopping', 'stopped']).toContain(await world.instanceState(record.instanceId));
  });

  it('never repeats an action when Slack retries the same click', async () => {
    const { record, token, ts } = await nagged('web-5');
    const body = blockActionBody({
      actionId: 'lightsout.extend',
      blockId: token,
      messageTs: ts,
      responseUrl: slack.responseUrl(),
      selected: '2h',
      actionTs: '1700000001.000100',
    });

    await world.events(lambdaEvent(body, FORM));
    await world.events(
      lambdaEvent(body, FORM, {
        headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      }),
    );
    await world.events(lambdaEvent(body, FORM));

    expect((await world.store.get(record))!.extensionSeconds).toBe(2 * 3600);
  });

  it('looks up the bot’s identity (auth.test) once per container, not on every request', async () => {
    // Arrange: beforeEach already sent two commands through this handler.
    const { token, ts } = await nagged('web-7');

    // Act
    await click('lightsout.extend', token, ts, { selected: '2h' });
    await click('lightsout.snooze', token, ts, { selected: '1h' });

    // Assert
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toHaveLength(2);
  });

  it('retries after a 429 from the Web API (Retry-After) and still updates the message', async () => {
    // Retry-After 0: the test checks that the rate-limited call is made again, not how long the client waits.
    const { token, ts } = await nagged('web-6');
    slack.failNext('chat.update', { status: 429, retryAfter: 0 });

    await click('lightsout.extend', token, ts, { selected: '2h' });

    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.args).toEqual(updates[0]!.args);
    expect(textOf(updates[1]!.args.blocks)).toContain('Threshold extended');
  });
});

describe('Slack request signatures', () => {
  const body = () => slashCommandBody('subscribe ops');

  it.each([
    ['a bad signature', { signature: 'v0=deadbeef' }],
    ['a missing signature', { signature: null }],
    ['a replayed request (timestamp 6 minutes old)', { ts: Math.floor(Date.now() / 1000) - 360 }],
    ['a correctly signed request stamped 6 minutes ahead', { tsOffset: 360 }],
    ['a correctly signed request stamped a year ahead', { tsOffset: 31_536_000 }],
    ['a request signed with another secret', { secret: 'someone-else' }],
  ])('rejects %s with 401 and no side effects', async (_case, opts) => {
    slack.reset();
    // Offsets are applied when the case runs: the table is built long before.
    const { tsOffset, ...rest } = opts as { tsOffset?: number };
    const signed = tsOffset === undefined ? rest : { ...rest, ts: Math.floor(Date.now() / 1000) + tsOffset };
    const res = await world.events(lambdaEvent(body(), FORM, signed as never));

    expect(res.statusCode).toBe(401);
    expect(slack.calls).toHaveLength(0);
    const subs = await world.events(lambdaEvent(slashCommandBody('subscriptions'), FORM));
    expect(JSON.parse(subs.body!).text).not.toContain('ops');
  });

  it('rejects a replayed old request even when its signature matches its old timestamp', async () => {
    const ts = Math.floor(Date.now() / 1000) - 600;
    const res = await world.events(lambdaEvent(body(), FORM, { ts, signature: sign(body(), ts) }));
    expect(res.statusCode).toBe(401);
  });

  it('accepts a correctly signed request stamped 4 minutes ahead (inside the window)', async () => {
    const res = await world.events(lambdaEvent(body(), FORM, { ts: Math.floor(Date.now() / 1000) + 240 }));
    expect(res.statusCode).toBe(200);
  });

  it('accepts base64-encoded bodies with non-ASCII text from a Function URL', async () => {
    const res = await world.events(
      lambdaEvent(slashCommandBody('status wëb-1'), `${FORM}; charset=utf-8`, { base64: true }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!).text).toContain('No monitored instance has the id or Name "wëb-1"');
  });
});

describe('/ec2 commands', () => {
  const run = async (text: string, channel = 'C0WEB') =>
    JSON.parse((await world.events(lambdaEvent(slashCommandBody(text, { channel }), FORM))).body!);

  it.each([
    ['frobnicate', 'unknown command "frobnicate"', '/ec2 list [group|all]'],
    ['snooze web-1', 'needs a duration', '/ec2 snooze <instance-id|Name>'],
    ['extend web-1 forever', 'duration "forever" is not a duration', '/ec2 extend'],
    ['subscribe Web!', 'must be lower-case letters and digits only', '/ec2 subscribe <group>'],
  ])('answers "%s" privately with the mistake and the usage', async (text, mistake, usage) => {
    const reply = await run(text);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain(mistake);
    // Slack would read a raw <…> as a link; the text and the blocks carry it escaped.
    expect(reply.text).toContain(usage.replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
    expect(textOf(reply.blocks)).toContain(usage.replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
  });

  it('quotes at most about 100 characters of a huge command, within Slack section limits', async () => {
    const huge = 'x'.repeat(4_000);

    const replies = [await run(huge), await run(`status ${huge}`), await run(`subscribe ${huge}`)];

    for (const reply of replies) {
      const sections = (reply.blocks as { type: string; text?: { text: string } }[]).filter(
        (b) => b.type === 'section',
      );
      expect(sections.length).toBeGreaterThan(0);
      for (const s of sections) expect(s.text!.text.length).toBeLessThanOrEqual(3_000);
      expect(JSON.stringify(reply)).toMatch(/x{100}…/);
      expect(JSON.stringify(reply).length).toBeLessThan(4_000);
    }
  });

  it('lists instances by runtime, privately unless --public', async () => {
    await world.launch('web-a');
    await world.launch('web-b');

    const mine = await run('list');
    const shared = await run('list web --public');

    expect(mine.response_type).toBe('ephemeral');
    expect(shared.response_type).toBe('in_channel');
    expect(textOf(mine.blocks)).toContain('web-a');
    expect(textOf(mine.blocks)).toContain('web-b');
    expect(mine.text).toContain('2 instances, 0 over threshold');
  });

  it('snoozes and extends by command through the same checks as buttons', async () => {
    const record = await world.launch('web-c');
    // On Lambda these are handed on before they start (never run twice): the answer comes through response_url.
    const later = async (text: string, id: string, channel = 'C0WEB') => {
      const ack = JSON.parse(
        (
          await world.events(
            lambdaEvent(slashCommandBody(text, { channel, responseUrl: slack.responseUrl(id) }), FORM),
          )
        ).body!,
      );
      expect(ack.text).toContain('Working on it');
      return slack.callsTo(`response_url/${id}`).at(-1)!.args;
    };

    const snoozed = await later('snooze web-c 2h', 'snooze');
    const refused = await later('extend web-c 2h', 'extend', 'C0OTHER');

    expect(snoozed.text).toMatch(/^Snoozed web-c \(i-\w+\) until \d\d:\d\d\.$/);
    expect(refused.text).toContain('not subscribed to group `web`');
    expect((await world.store.get(record))!.extensionSeconds).toBe(0);
  });

  it('asks for confirmation before a stop by command', async () => {
    const record = await world.launch('web-d');

    const reply = await run('stop web-d');

    expect(reply.text).toContain('Stop web-d (');
    expect(textOf(reply.blocks)).toContain('"confirm"');
    expect(await world.instanceState(record.instanceId)).toBe('running');
  });
});
