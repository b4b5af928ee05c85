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

const textOf = (v: unknown) => JSON.stringify(v);

describe('App Home, ephemeral cards and the fallback channel', () => {
  beforeEach(async () => {
    world = await buildWorld(moto, slack, { SLACK_FALLBACK_CHANNEL: 'C0FALLBACK' });
  });

  it('publishes the caller’s groups, over-threshold instances and snoozes on app_home_opened', async () => {
    // Arrange: C0WEB (the fake says the user is in it) follows web; an instance is snoozed.
    await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
    const record = await world.launch('web-home');
    await world.engine.snooze(record, new Date(Date.now() + 3_600_000), 'slack:U0ALICE');
    const body = JSON.stringify({
      token: 'x',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev1',
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U0ALICE', channel: 'D0HOME', tab: 'home', event_ts: '1.2' },
    });

    // Act
    const res = await world.events(lambdaEvent(body, 'application/json'));

    // Assert
    expect(res.statusCode).toBe(200);
    const view = slack.callsTo('views.publish').at(-1)!.args;
    expect(view.user_id).toBe('U0ALICE');
    expect(textOf(view.view)).toContain('`web` in <#C0WEB>');
    expect(textOf(view.view)).toContain('Snoozes in force* (1)');
    expect(textOf(view.view)).toContain('web-home');
  });

  it('ignores a retried event delivery (X-Slack-Retry-Num)', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0TEAM',
      api_app_id: 'A0APP',
      event_id: 'Ev2',
      event: { type: 'app_home_opened', user: 'U0ALICE', channel: 'D0HOME', tab: 'home', event_ts: '1.3' },
    });

    const res = await world.events(
      lambdaEvent(body, 'application/json', {
        headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'timeout' },
      }),
    );

    expect(res.statusCode).toBe(200);
    expect(slack.callsTo('views.publish')).toHaveLength(0);
  });

  it('stops from the private `/ec2 stop` card and rewrites that card through response_url', async () => {
    // Arrange
    await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
    const record = await world.launch('web-eph');
    const card = JSON.parse((await world.events(lambdaEvent(slashCommandBody('stop web-eph'), FORM))).body!);
    const token = card.blocks.find((b: { type: string }) => b.type === 'actions').block_id;

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: '1700000099.000001',
          ephemeral: true,
          responseUrl: slack.responseUrl('card'),
        }),
        FORM,
      ),
    );

    // Assert
    expect(['stopping', 'stopped']).toContain(await world.instanceState(record.instanceId));
    const replaced = slack.callsTo('response_url/card').at(-1)!.args;
    expect(replaced.replace_original).toBe(true);
    expect(textOf(replaced.blocks)).toContain('Stopped by <@U0ALICE>');
  });

  it('sends nags for a group nobody follows to the fallback channel, where its buttons work', async () => {
    // Arrange
    const record = await world.launch('orphan', 'batch');
    await world.notify(snsEvent('orphan-1', buildNagNotification(record, new Date())));
    const post = slack.callsTo('chat.postMessage').at(-1)!;
    const token = (post.args.blocks as { type: string; block_id?: string }[]).find(
      (b) => b.type === 'actions',
    )!.block_id!;

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.extend',
          blockId: token,
          messageTs: '1700000000.000001',
          channel: 'C0FALLBACK',
          selected: '8h',
          responseUrl: slack.responseUrl(),
        }),
        FORM,
      ),
    );

    // Assert
    expect(post.args.channel).toBe('C0FALLBACK');
    expect((await world.store.get(record))!.extensionSeconds).toBe(8 * 3600);
    expect((await world.store.get(record))!.undelivered).toBeFalsy();
  });
});
