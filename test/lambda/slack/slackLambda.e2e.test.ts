import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { useMoto } from '../../support/moto.js';
import { blockActionBody, FORM, lambdaEvent, slashCommandBody } from '../../support/slackRequests.js';
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
  world = await buildWorld(moto, slack);
});

const textOf = (blocks: unknown) => JSON.stringify(blocks);

async function command(text: string, channel = 'C0WEB') {
  return world.events(
    lambdaEvent(slashCommandBody(text, { channel, responseUrl: slack.responseUrl() }), FORM),
  );
}

/** Posts a nag for `name` through chatNotify and returns the posted message. */
async function nag(name: string, messageId = `sns-${name}`) {
  const record = await world.launch(name);
  await world.notify(snsEvent(messageId, buildNagNotification({ ...record, nagCount: 1 }, new Date())));
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const actions = (post.args.blocks as { type: string; block_id?: string }[]).find(
    (b) => b.type === 'actions',
  )!;
  return { record, post, token: actions.block_id! };
}

describe('Slack on Lambda, end to end', () => {
  it('SNS nag → post → Stop → instance stopped on moto → message updated', async () => {
    // Arrange: the channel subscribes, then the engine's nag arrives over SNS.
    const sub = await command('subscribe web');
    expect(sub.statusCode).toBe(200);
    expect(JSON.parse(sub.body!)).toMatchObject({ response_type: 'in_channel' });
    const { record, post, token } = await nag('web-1');
    expect(post.args.channel).toBe('C0WEB');
    expect(textOf(post.args.blocks)).toContain('<!date^');
    const stored = await world.store.get(record);
    const ref = stored!.chatRefs[0]!;

    // Act: Alice presses Stop (after Slack's confirm dialog).
    const res = await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: ref.messageId,
          responseUrl: slack.responseUrl(),
        }),
        FORM,
      ),
    );

    // Assert
    expect(res.statusCode).toBe(200);
    expect(['stopping', 'stopped']).toContain(await world.instanceState(record.instanceId));
    const update = slack.callsTo('chat.update').at(-1)!;
    expect(update.args).toMatchObject({ channel: 'C0WEB', ts: ref.messageId });
    expect(textOf(update.args.blocks)).toMatch(/Stopped by <@U0ALICE> after (\d+s|\d+m( \d{2}s)?)"/);
    expect(textOf(update.args.blocks)).not.toContain('lightsout.stop');
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args).toMatchObject({
      user: 'U0ALICE',
      text: expect.stringContaining('Stopping web-1'),
    });
    expect(await world.scheduler.get(record)).toBeUndefined();

    // And the engine's later instance.stopped event keeps the attribution.
    await world.notify(
      snsEvent('evt-1', {
        type: 'instance.stopped',
        record: { ...stored!, state: 'stopped' },
        runtimeSeconds: 60,
        at: new Date().toISOString(),
      }),
    );
    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain('Stopped by <@U0ALICE>');
  });

  it('carries the price over SNS into the posted nag, and a malformed price is refused rather than shown', async () => {
    // Arrange
    await command('subscribe web');
    const record = await world.launch('web-price');
    const price = { hourlyUsd: 4.1, source: 'on-demand' as const, at: new Date().toISOString() };
    const thirteenHoursIn = new Date(Date.parse(record.launchTime) + 13 * 3_600_000);
    const priced = buildNagNotification({ ...record, nagCount: 1, price }, thirteenHoursIn);

    // Act
    await world.notify(snsEvent('priced-1', priced));
    const posted = textOf(slack.callsTo('chat.postMessage').at(-1)!.args.blocks);
    const before = slack.callsTo('chat.postMessage').length;
    // Refused at the parse (logged and dropped, or thrown for SNS to retry): either way nothing is posted.
    await world
      .notify(snsEvent('priced-2', { ...priced, dueAt: 'later', price: { hourlyUsd: 'lots' } }))
      .catch(() => undefined);

    // Assert
    expect(posted).toContain('*Cost*\\n$4.10/h · $53 so far');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(before);
  });

  it('delivers a duplicate SNS message once', async () => {
    // Arrange
    await command('subscribe web');
    const record = await world.launch('web-2');
    const n = buildNagNotification(record, new Date());

    // Act
    await world.notify(snsEvent('same-id', n));
    await world.notify(snsEvent('same-id', n));

    // Assert
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('updates the message in place and replies in the thread on a repeat nag', async () => {
    await command('subscribe web');
    const { record } = await nag('web-3', 'first');

    await world.notify(
      snsEvent('second', buildNagNotification({ ...record, nagCount: 2 }, new Date(Date.now() + 3_600_000))),
    );

    expect(slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts)).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage').at(-1)!.args).toMatchObject({
      thread_ts: expect.any(String),
      text: expect.stringContaining('Still running after 1h (threshold'),
    });
  });

  it('says "Stopped outside Slack" when the instance was stopped elsewhere', async () => {
    await command('subscribe web');
    const { record } = await nag('web-4');
    const stored = await world.store.get(record);

    await world.notify(
      snsEvent('evt-outside', {
        type: 'instance.stopped',
        record: { ...stored!, state: 'stopped' },
        runtimeSeconds: 14 * 3600 + 600,
        at: new Date().toISOString(),
      }),
    );

    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain(
      'Stopped outside Slack after 14h 10m',
    );
  });

  it('records an undelivered nag when no channel follows the group and there is no fallback', async () => {
    const record = await world.launch('lonely', 'batch');

    await world.notify(snsEvent('lonely-1', buildNagNotification(record, new Date())));

    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect((await world.store.get(record))!.undelivered).toBe(true);
    // The issue asks for undelivered nags to show in `/ec2 list`, not just on the record.
    expect(textOf(JSON.parse((await command('list all')).body!).blocks)).toContain('last nag undelivered');
  });

  it('throws so SNS retries when Slack fails, then posts on the retry', async () => {
    await command('subscribe web');
    const record = await world.launch('web-5');
    slack.failNext('chat.postMessage', { error: 'internal_error' });
    const n = buildNagNotification(record, new Date());

    await expect(world.notify(snsEvent('retry-me', n))).rejects.toThrow('chat notification failed');
    await world.notify(snsEvent('retry-me', n));

    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0WEB')).toHaveLength(2);
    expect((await world.store.get(record))!.chatRefs).toHaveLength(1);
  });

  it('posts a fresh message when the first one was deleted in Slack', async () => {
    await command('subscribe web');
    const { record } = await nag('web-6', 'first-6');
    slack.failNext('chat.update', { error: 'message_not_found' });

    await world.notify(
      snsEvent(
        'second-6',
        buildNagNotification({ ...record, nagCount: 2 }, new Date(Date.now() + 3_600_000)),
      ),
    );

    const topLevel = slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts);
    expect(topLevel).toHaveLength(2);
    expect((await world.store.get(record))!.chatRefs).toHaveLength(1);
  });

  it('replies with the cleanup results once, even when the event is delivered twice', async () => {
    await command('subscribe web');
    const { record } = await nag('web-7');
    const stored = await world.store.get(record);
    const event = {
      type: 'instance.cleaned-up',
      record: stored,
      outcomes: [{ hook: 'route53', ok: true, summary: 'removed web-7.internal A' }],
      at: new Date().toISOString(),
    };

    await world.notify(snsEvent('cleanup-1', event));
    await world.notify(snsEvent('cleanup-1', event));

    const replies = slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.args).toMatchObject({
      channel: 'C0WEB',
      thread_ts: stored!.chatRefs[0]!.messageId,
      text: `${record.instanceId} (web-7) terminated · removed web-7.internal A`,
    });
  });

  it('posts the cleanup report, failures included, to the group’s channels when the instance was never nagged', async () => {
    // Arrange: the channel follows the group, but the instance ended before its first nag.
    await command('subscribe web');
    const record = await world.launch('web-8');
    const event = {
      type: 'instance.cleaned-up',
      record,
      outcomes: [
        { hook: 'cloudmap', ok: true, summary: 'deregistered from srv-123' },
        { hook: 'webhook', ok: false, summary: 'webhook failed: HTTP 500' },
      ],
      at: new Date().toISOString(),
    };

    // Act: SNS delivers the event twice.
    await world.notify(snsEvent('cleanup-2', event));
    await world.notify(snsEvent('cleanup-2', event));

    // Assert
    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args).toMatchObject({
      channel: 'C0WEB',
      text: `⚠️ ${record.instanceId} (web-8) terminated · deregistered from srv-123 · webhook failed: HTTP 500`,
    });
    expect(posts[0]!.args.thread_ts).toBeUndefined();
  });
});
