import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoSubscriptionStore } from '../../src/aws/dynamodb/subscriptionStore.js';
import type { Subscription, SubscriptionStore } from '../../src/ports/subscriptionStore.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, () => Promise<SubscriptionStore>][] = [
  ['SQLite', async () => new SqliteSubscriptionStore(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoSubscriptionStore(doc, tableName);
    },
  ],
];

const slack = { platform: 'slack' as const, channelId: 'C0WEB' };
const teams = {
  platform: 'teams' as const,
  channelId: '19:ops@thread.tacv2',
  serviceUrl: 'https://smba.example/emea/',
  tenantId: 'tenant-1',
  teamId: '19:team@thread.tacv2',
  conversationReference: { conversation: { id: '19:ops@thread.tacv2' }, bot: { id: '28:bot' } },
};

const sub = (group: string, channel: Subscription['channel'], createdBy = 'slack:U1'): Subscription => ({
  group,
  channel,
  createdBy,
  createdAt: '2026-11-20T09:00:00.000Z',
});

describe.each(implementations)('SubscriptionStore contract: %s', (_name, make) => {
  let store: SubscriptionStore;
  beforeEach(async () => {
    store = await make();
  });

  it('starts empty', async () => {
    expect(await store.all()).toEqual([]);
    expect(await store.forGroup('web')).toEqual([]);
  });

  it('flags every subscription of a broken channel, and clears the flag on request or on a new subscribe', async () => {
    // Arrange
    await store.subscribe(sub('web', slack));
    await store.subscribe(sub('db', slack));
    await store.subscribe(sub('web', teams, 'teams:aad-1'));
    const broken = { reason: 'channel_not_found', since: '2026-11-20T10:00:00.000Z' };

    // Act
    await store.markBroken!(slack, broken);
    const flagged = await store.all();
    await store.subscribe(sub('db', slack));
    const afterResubscribe = await store.forChannel(slack);
    await store.markBroken!(slack, undefined);
    await store.markBroken!({ platform: 'slack', channelId: 'C0NONE' }, broken);

    // Assert
    expect(
      flagged
        .filter((s) => s.broken)
        .map((s) => s.group)
        .sort(),
    ).toEqual(['db', 'web']);
    expect(flagged.find((s) => s.channel.platform === 'teams')).not.toHaveProperty('broken');
    expect(afterResubscribe.find((s) => s.group === 'db')).not.toHaveProperty('broken');
    expect(afterResubscribe.find((s) => s.group === 'web')?.broken).toEqual(broken);
    expect((await store.all()).some((s) => s.broken)).toBe(false);
    expect(await store.all()).toHaveLength(3);
  });

  it('stores Slack and Teams channels side by side and finds them by group and by channel', async () => {
    // Arrange
    await store.subscribe(sub('web', slack));
    await store.subscribe(sub('web', teams, 'teams:aad-1'));
    await store.subscribe(sub('db', slack));
    await store.subscribe(sub('webapp', teams, 'teams:aad-1'));

    // Act
    const web = await store.forGroup('web');
    const slackChannel = await store.forChannel(slack);
    const all = await store.all();

    // Assert
    expect(web).toHaveLength(2);
    expect(web).toContainEqual(sub('web', slack));
    expect(web).toContainEqual(sub('web', teams, 'teams:aad-1'));
    expect(slackChannel.map((s) => s.group).sort()).toEqual(['db', 'web']);
    expect(all).toHaveLength(4);
  });

  it('keeps one subscription when subscribing twice, with the first subscriber and fresh channel details', async () => {
    // Arrange
    await store.subscribe(sub('web', teams, 'teams:aad-1'));

    // Act
    const moved = { ...teams, serviceUrl: 'https://smba.example/amer/' };
    await store.subscribe({ ...sub('web', moved, 'teams:aad-2'), createdAt: '2026-11-21T09:00:00.000Z' });

    // Assert
    const subs = await store.forGroup('web');
    expect(subs).toHaveLength(1);
    expect(subs[0]).toEqual(sub('web', moved, 'teams:aad-1'));
  });

  it('unsubscribes one group from one channel and says whether anything was removed', async () => {
    // Arrange
    await store.subscribe(sub('web', slack));
    await store.subscribe(sub('db', slack));

    // Act
    const removed = await store.unsubscribe('web', slack);
    const again = await store.unsubscribe('web', slack);
    const never = await store.unsubscribe('web', { platform: 'teams', channelId: slack.channelId });

    // Assert
    expect([removed, again, never]).toEqual([true, false, false]);
    expect((await store.forChannel(slack)).map((s) => s.group)).toEqual(['db']);
  });

  it('keeps the routing a subscription was made with, and a plain re-subscribe keeps it', async () => {
    // Arrange
    const routing = {
      route: 'owner-then-channel' as const,
      escalateAfter: 3,
      escalateTo: [{ kind: 'user-group' as const, id: 'S0OPS' }, { kind: 'here' as const }],
      broadcastEvery: 2,
    };

    // Act
    await store.subscribe({ ...sub('web', slack), ...routing });
    await store.subscribe(sub('web', slack));
    await store.subscribe(sub('db', slack));

    // Assert
    expect(await store.forGroup('web')).toEqual([{ ...sub('web', slack), ...routing }]);
    expect(await store.forGroup('db')).toEqual([sub('db', slack)]);
  });

  it('changes the routing of an existing subscription field by field, clears the mention list, and never subscribes', async () => {
    // Arrange
    await store.subscribe({
      ...sub('web', teams, 'teams:aad-1'),
      route: 'owner',
      escalateTo: [{ kind: 'tag', id: 'tag-1', name: 'Ops' }],
    });

    // Act
    const changed = await store.configure('web', teams, { escalateAfter: 5, broadcastEvery: 0 });
    const afterChange = await store.forGroup('web');
    const cleared = await store.configure('web', teams, { route: 'channel', escalateTo: [] });
    const missing = await store.configure('db', teams, { route: 'owner' });

    // Assert
    expect(changed).toBe(true);
    expect(afterChange[0]).toMatchObject({
      route: 'owner',
      escalateAfter: 5,
      broadcastEvery: 0,
      escalateTo: [{ kind: 'tag', id: 'tag-1', name: 'Ops' }],
    });
    expect(cleared).toBe(true);
    expect(await store.forGroup('web')).toEqual([
      { ...sub('web', teams, 'teams:aad-1'), route: 'channel', escalateAfter: 5, broadcastEvery: 0 },
    ]);
    expect(missing).toBe(false);
    expect(await store.forGroup('db')).toEqual([]);
  });

  it("keeps a group's standing idle consent (--autostop), changes it, and clears it with off", async () => {
    // Arrange
    await store.subscribe({ ...sub('web', slack), autostop: { kind: 'idle', forSeconds: 1800 } });

    // Act
    const kept = await store.forGroup('web');
    await store.configure('web', slack, { autostop: { kind: 'idle', forSeconds: 3600 }, route: 'owner' });
    const changed = await store.forGroup('web');
    await store.configure('web', slack, { autostop: { kind: 'off' } });
    const cleared = await store.forGroup('web');

    // Assert
    expect(kept[0]!.autostop).toEqual({ kind: 'idle', forSeconds: 1800 });
    expect(changed[0]).toMatchObject({ autostop: { kind: 'idle', forSeconds: 3600 }, route: 'owner' });
    expect(cleared).toEqual([{ ...sub('web', slack), route: 'owner' }]);
  });
});
