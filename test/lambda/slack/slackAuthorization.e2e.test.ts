/**
 * Who may do what on Slack, end to end through the Lambda handlers on moto:
 * stop allow-lists naming a Slack user group, the audit record a stop leaves,
 * SLACK_ADMINS guarding subscriptions, and `/ec2 status` answering by id or Name.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../../src/aws/dynamodb/auditLog.js';
import { DynamoSubscriptionStore } from '../../../src/aws/dynamodb/subscriptionStore.js';
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

/**
 * A fresh world with the given settings. The Slack user groups are the same in
 * every test because the handler caches usergroups.list for the whole process.
 */
async function setup(env: Record<string, string>) {
  world = await buildWorld(moto, slack, env);
  slack.userGroupMembers.set('S0123', ['U0DBA', 'U0OPS']);
  slack.userGroupMembers.set('S0999', ['U0ALICE']);
}

function tableClients() {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(moto.clientConfig));
  return {
    audit: new DynamoAuditLog(doc, world.env.TABLE_NAME!),
    subscriptions: new DynamoSubscriptionStore(doc, world.env.TABLE_NAME!),
  };
}

async function command(text: string, user = 'U0ALICE', channel = 'C0WEB') {
  const res = await world.events(lambdaEvent(slashCommandBody(text, { user, channel }), FORM));
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body!) as { response_type: string; text: string; blocks?: unknown[] };
}

async function nagged(name: string, group = 'web') {
  const record = await world.launch(name, group);
  await world.notify(snsEvent(`sns-${name}`, buildNagNotification(record, new Date())));
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const token = (post.args.blocks as { type: string; block_id?: string }[]).find((b) => b.type === 'actions')!
    .block_id!;
  const ts = (await world.store.get(record))!.chatRefs[0]!.messageId;
  return { record, token, ts };
}

function clickStop(token: string, ts: string, user: string) {
  return world.events(
    lambdaEvent(
      blockActionBody({
        actionId: 'lightsout.stop',
        blockId: token,
        messageTs: ts,
        responseUrl: slack.responseUrl(),
        user,
      }),
      FORM,
    ),
  );
}

describe('a stop allow-list naming a Slack user group (SLACK_STOP_ALLOW=web=S0123)', () => {
  it('lets a member of the user group stop and refuses a non-member privately with the reason', async () => {
    // Arrange
    await setup({ SLACK_STOP_ALLOW: 'web=S0123' });
    await command('subscribe web');
    const { record, token, ts } = await nagged('web-allow');

    // Act
    const refused = await clickStop(token, ts, 'U0ALICE');
    const stateAfterAlice = await world.instanceState(record.instanceId);
    const allowed = await clickStop(token, ts, 'U0DBA');

    // Assert
    expect(refused.statusCode).toBe(200);
    expect(allowed.statusCode).toBe(200);
    expect(slack.callsTo('usergroups.list').at(0)?.args).toMatchObject({ include_users: 'true' });
    expect(stateAfterAlice).toBe('running');
    const toAlice = slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === 'U0ALICE');
    expect(toAlice).toHaveLength(1);
    expect(toAlice[0]!.args).toMatchObject({
      channel: 'C0WEB',
      text: expect.stringContaining('stop allow-list of group `web`'),
    });
    expect(['stopping', 'stopped']).toContain(await world.instanceState(record.instanceId));
    expect(JSON.stringify(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain('Stopped by <@U0DBA>');
    // The refusal was private: nothing about Alice's attempt went into the channel message.
    for (const update of slack.callsTo('chat.update'))
      expect(JSON.stringify(update.args.blocks)).not.toContain('U0ALICE');
  });
});

describe('the audit trail of a Slack stop', () => {
  it('records who stopped which run with the result, and records a refused attempt too', async () => {
    // Arrange
    await setup({ SLACK_STOP_ALLOW: 'web=S0123' });
    await command('subscribe web');
    const { record, token, ts } = await nagged('web-audit');

    // Act
    await clickStop(token, ts, 'U0ALICE');
    await clickStop(token, ts, 'U0OPS');

    // Assert
    const entries = await tableClients().audit.recent(10);
    const target = expect.stringMatching(
      new RegExp(`${record.instanceId}.*@${record.launchTime.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'slack:U0OPS', action: 'stop', target, result: 'ok' }),
        expect.objectContaining({ actor: 'slack:U0ALICE', action: 'stop', target, result: 'refused' }),
      ]),
    );
    expect(entries.filter((e) => e.action === 'stop')).toHaveLength(2);
    const ok = entries.find((e) => e.result === 'ok')!;
    expect(Number.isNaN(Date.parse(ok.at))).toBe(false);
    expect(['stopping', 'stopped']).toContain(await world.instanceState(record.instanceId));
  });
});

describe('SLACK_ADMINS guarding subscriptions', () => {
  it('refuses a non-admin’s subscribe privately and stores nothing', async () => {
    // Arrange
    await setup({ SLACK_ADMINS: 'U0ADMIN' });

    // Act
    const reply = await command('subscribe web', 'U0ALICE');

    // Assert
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toContain('Only Lights Out admins may change subscriptions');
    expect(await tableClients().subscriptions.forGroup('web')).toEqual([]);
  });

  it('lets an admin subscribe and unsubscribe, and refuses a non-admin’s unsubscribe in between', async () => {
    // Arrange
    await setup({ SLACK_ADMINS: 'U0ADMIN' });
    const { subscriptions } = tableClients();

    // Act
    const subscribed = await command('subscribe web', 'U0ADMIN');
    const storedAfterSubscribe = await subscriptions.forGroup('web');
    const refused = await command('unsubscribe web', 'U0ALICE');
    const storedAfterRefusal = await subscriptions.forGroup('web');
    const unsubscribed = await command('unsubscribe web', 'U0ADMIN');

    // Assert
    expect(subscribed.response_type).toBe('in_channel');
    expect(subscribed.text).toMatch(/^This channel now receives nags for group `?web`?\.?$/);
    expect(storedAfterSubscribe).toHaveLength(1);
    expect(storedAfterSubscribe[0]).toMatchObject({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: 'slack:U0ADMIN',
    });
    expect(refused.response_type).toBe('ephemeral');
    expect(refused.text).toContain('Only Lights Out admins may change subscriptions');
    expect(storedAfterRefusal).toHaveLength(1);
    expect(unsubscribed.text).toMatch(/^This channel no longer receives nags for group `?web`?\.?$/);
    expect(await subscriptions.forGroup('web')).toEqual([]);
  });
});

describe('/ec2 status', () => {
  it.each([
    ['its instance id', (r: { instanceId: string }) => r.instanceId],
    ['its Name tag', () => 'web-status'],
  ])('shows a running instance by %s, privately, with its state and buttons', async (_how, arg) => {
    // Arrange
    await setup({});
    const record = await world.launch('web-status');
    await world.launch('web-other');

    // Act
    const reply = await command(`status ${arg(record)}`);

    // Assert
    expect(reply.response_type).toBe('ephemeral');
    const shown = JSON.stringify(reply);
    expect(shown).toContain('State: running');
    expect(shown).toContain('web-status');
    expect(shown).toContain(record.instanceId);
    expect(shown).not.toContain('web-other');
    expect(shown).toContain('lightsout.stop');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
