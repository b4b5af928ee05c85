/**
 * Exactly one nag post on Lambda when a post's outcome is unknown: Slack
 * applies the post but answers after the client gave up, and the lookup that
 * would have found it fails too, so the delivery fails and SNS retries. The
 * retry runs in a fresh container (a new handler, nothing in memory) and must
 * look the post up by its metadata instead of posting again. Posts are
 * counted at the loopback Web API.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createChatNotifyHandler } from '../../../src/lambda/chatNotify.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { useMoto } from '../../support/moto.js';
import { FORM, lambdaEvent, slashCommandBody } from '../../support/slackRequests.js';
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
  // A 2 s channel timeout gives the post client 1 s.
  world = await buildWorld(moto, slack, { CHAT_CHANNEL_TIMEOUT: '2s' });
  await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
});

const postsTo = (channel: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && !c.args.thread_ts);

describe('an unsure nag post on Lambda', () => {
  it('is looked up, not posted again, by a retry in a fresh container', { timeout: 60_000 }, async () => {
    // Arrange: the post lands but its answer comes after 1.5 s; the lookup right after fails.
    const record = await world.launch('web-1');
    const nag = snsEvent('sns-unsure-1', buildNagNotification(record, new Date()));
    slack.failNext('chat.postMessage', { delayMs: 1500 });
    slack.failNext('conversations.history', { error: 'internal_error' });

    // Act: the first container's attempt fails; SNS delivers again to a fresh container.
    const first = await world.notify(nag).catch((err: unknown) => err);
    const fresh = await createChatNotifyHandler(world.env, {
      secrets: new SecretsManagerClient(moto.clientConfig),
    });
    await fresh(nag);

    // Assert: one post at the peer, adopted by the retry.
    expect(first).toBeInstanceOf(Error);
    expect(postsTo('C0WEB')).toHaveLength(1);
    const stored = await world.store.get(record);
    expect(stored!.chatRefs.map((r) => r.messageId)).toEqual([String(slack.history.get('C0WEB')![0]!.ts)]);
  });
});
