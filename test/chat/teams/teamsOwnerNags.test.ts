/**
 * Nags that reach the owner and repeats that get louder in Teams, through the
 * real Agents SDK adapter and gateway against the loopback Bot Framework
 * connector: the owner found among the members of a team the app is in, a
 * proactive 1:1 conversation with the nag card, the channel added later with
 * a tag mention, a broadcast repeat posted to the channel, failed lookups
 * remembered as a warning, and a click in the 1:1 chat rewriting every copy.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ChatCore, createChatCore } from '../../../src/chat/core/chatCore.js';
import { OwnerReach } from '../../../src/chat/core/ownerReach.js';
import { createTeamsTransport } from '../../../src/chat/teams/teamsApp.js';
import { TeamsOwnerDirectory } from '../../../src/chat/teams/teamsOwnerDirectory.js';
import { loadConfig } from '../../../src/config/index.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import type { NagRouting } from '../../../src/core/nagRouting.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import { createLogger } from '../../../src/log.js';
import type { ChannelRef } from '../../../src/ports/subscriptionStore.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { SqliteChatInstallationStore } from '../../../src/sqlite/chatInstallationStore.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { useFakeBotConnector } from '../../support/fakeBotConnector.js';
import {
  FakeFleet,
  MemoryInstanceStore,
  MemoryNagScheduler,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';

const connector = useFakeBotConnector();
const log = createLogger('test', 'ERROR');
const HOUR = 3600;
const TEAM = '19:team@thread.tacv2';
const WEB = '19:web@thread.tacv2';
const ALICE_AAD = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OPS_TAG = { kind: 'tag' as const, id: 'tag-ops-1', name: 'Ops' };

let clock: VirtualClock;
let fleet: FakeFleet;
let store: MemoryInstanceStore;
let subscriptions: SqliteSubscriptionStore;
let core: ChatCore;
let monitor: MonitorService;

async function build() {
  clock = new VirtualClock(new Date());
  fleet = new FakeFleet();
  store = new MemoryInstanceStore({ clock: clock.now });
  const db = openDatabase(':memory:');
  subscriptions = new SqliteSubscriptionStore(db);
  const installations = new SqliteChatInstallationStore(db);
  await installations.save({
    platform: 'teams',
    id: TEAM,
    channel: { platform: 'teams', channelId: TEAM, serviceUrl: connector.serviceUrl, tenantId: 'tenant-1' },
    installedAt: clock.now().toISOString(),
  });
  connector.members.set(TEAM, [
    {
      id: '29:alice',
      name: 'Alice',
      aadObjectId: ALICE_AAD,
      userPrincipalName: 'alice@contoso.onmicrosoft.com',
      email: 'alice@example.com',
    },
  ]);
  const gateway = createTeamsTransport(loadConfig({ TEAMS_ENABLED: 'true' }).teams, log).gateway;
  monitor = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier: { notify: async () => undefined },
    events: new RecordingPublisher(),
    clock: clock.now,
    settings: testMonitorSettings({ defaultThresholdSeconds: HOUR }),
  });
  core = createChatCore({
    monitor,
    fleet,
    audit: new SqliteAuditLog(db),
    instances: store,
    subscriptions,
    idempotency: new SqliteIdempotencyStore(db),
    gateways: [gateway],
    owners: new OwnerReach([new TeamsOwnerDirectory(gateway, installations)], clock.now),
    clock: clock.now,
    log,
  });
}

const channel: ChannelRef = {
  platform: 'teams',
  channelId: WEB,
  tenantId: 'tenant-1',
  get serviceUrl() {
    return connector.serviceUrl;
  },
};

const follow = (routing: NagRouting) =>
  subscriptions.subscribe({
    group: 'web',
    channel: { ...channel, serviceUrl: connector.serviceUrl },
    createdBy: `teams:${ALICE_AAD}`,
    createdAt: clock.now().toISOString(),
    ...routing,
  });

async function running(owner: string): Promise<InstanceRecord> {
  const launchTime = new Date(clock.now().getTime() - 2 * HOUR * 1000).toISOString();
  const inst = fleet.add({
    tags: { Monitor: 'true', MonitorGroup: 'web', Name: 'web-1', Owner: owner },
    launchTime,
  });
  await monitor.handleStateChange({ ...inst, state: 'running', time: launchTime });
  return (await store.get(inst))!;
}

async function nag(record: InstanceRecord, nagCount: number) {
  const current = (await store.get(record))!;
  return core.delivery.deliverNag(buildNagNotification({ ...current, nagCount }, clock.now()));
}

const json = (v: unknown) => JSON.stringify(v);

describe('nags that reach the owner in Teams', () => {
  beforeEach(() => build());

  it('opens a 1:1 chat with the owner found by email in the team, then adds the channel with a tag mention', async () => {
    // Arrange
    await follow({ route: 'owner-then-channel', escalateAfter: 2, escalateTo: [OPS_TAG], broadcastEvery: 0 });
    const record = await running('alice@example.com');

    // Act
    await nag(record, 1);
    clock.advance(HOUR);
    await nag(record, 2);

    // Assert: the member list was read (the email is not the UPN), one 1:1 chat opened with her.
    expect(connector.memberLookups).toEqual([`${TEAM} alice@example.com`, `${TEAM} *`]);
    expect(connector.created).toHaveLength(1);
    expect(connector.created[0]!.parameters).toMatchObject({ isGroup: false, members: [{ id: '29:alice' }] });
    const personal = connector.created[0]!.id;
    const cards = connector.sent.filter((s) => s.conversationId === personal);
    expect(cards).toHaveLength(2); // the card, then the repeat's reply in the same chat (no threads there)
    expect(json(cards[0]!.activity.attachments)).toContain('lightsout.stop');
    expect(connector.updates.map((u) => u.conversationId)).toEqual([personal]);
    const inChannel = connector.sent.filter((s) => s.conversationId === WEB);
    expect(inChannel).toHaveLength(1);
    const card = (
      inChannel[0]!.activity.attachments as { content: { msteams: unknown; body: unknown[] } }[]
    )[0]!.content;
    expect(card.msteams).toMatchObject({
      entities: [
        { type: 'mention', text: '<at>Ops</at>', mentioned: { id: 'tag-ops-1', name: 'Ops', type: 'tag' } },
      ],
    });
    expect(json(card.body[0])).toContain('<at>Ops</at>');
    const refs = (await store.get(record))!.chatRefs;
    expect(refs.map((r) => [r.channelId, !!r.direct])).toEqual([
      [personal, true],
      [WEB, false],
    ]);
  });

  it('posts a broadcast repeat to the channel as a new message, mentioning the tag, instead of in the thread', async () => {
    // Arrange
    await follow({ broadcastEvery: 1, escalateAfter: 2, escalateTo: [OPS_TAG] });
    const record = await running('alice@example.com');
    await nag(record, 1);
    clock.advance(HOUR);

    // Act
    await nag(record, 2);

    // Assert
    const repeat = connector.sent.at(-1)!;
    expect(repeat.conversationId).toBe(WEB);
    expect(repeat.activity.text).toMatch(/^<at>Ops<\/at> Still running after/);
    expect(repeat.activity.entities).toEqual([
      { type: 'mention', text: '<at>Ops</at>', mentioned: { id: 'tag-ops-1', name: 'Ops', type: 'tag' } },
    ]);
    expect(connector.memberLookups).toEqual([]);
  });

  it('nags the channel when no team has the owner, with a warning, and does not look again for the next nag', async () => {
    // Arrange
    await follow({ route: 'owner' });
    const record = await running('teams:nobody@contoso.onmicrosoft.com');

    // Act
    await nag(record, 1);
    clock.advance(HOUR / 2);
    await nag(record, 2);

    // Assert
    expect(connector.memberLookups).toEqual([`${TEAM} nobody@contoso.onmicrosoft.com`, `${TEAM} *`]);
    expect(connector.created).toHaveLength(0);
    const warning =
      'Owner "nobody@contoso.onmicrosoft.com" was not found in Teams (no member of the team the app is in)';
    expect((await store.get(record))!.ownerWarning).toBe(warning);
    expect(json(connector.sent[0]!.activity.attachments)).toContain(
      JSON.stringify(`⚠ ${warning}`).slice(1, -1),
    );
    expect(connector.sent[0]!.conversationId).toBe(WEB);
  });

  it('rewrites the 1:1 card and the channel card when the owner stops it from the 1:1 chat', async () => {
    // Arrange
    await follow({ route: 'owner-then-channel', escalateAfter: 2, broadcastEvery: 0 });
    const record = await running(ALICE_AAD);
    await nag(record, 1);
    clock.advance(HOUR);
    await nag(record, 2);
    const personal = connector.created[0]!.id;
    const before = connector.updates.length;

    // Act
    const result = await core.actions.handle({
      action: 'stop',
      target: {
        region: record.region,
        instanceId: record.instanceId,
        launchTime: record.launchTime,
        group: 'web',
      },
      ctx: {
        channel: { platform: 'teams', channelId: personal, serviceUrl: connector.serviceUrl },
        actor: { platform: 'teams', id: ALICE_AAD, name: 'Alice' },
      },
    });

    // Assert
    expect(result.status).toBe('done');
    const rewritten = connector.updates.slice(before);
    expect(rewritten.map((u) => u.conversationId).sort()).toEqual([WEB, personal].sort());
    for (const u of rewritten) expect(json(u.activity.attachments)).toContain('Stopped by');
  });
});
