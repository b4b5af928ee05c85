/**
 * Huge inputs for every message type, checked against the limits Slack and
 * Teams enforce (a payload over any of them is refused outright, so the nag
 * would never arrive): every message is still produced, within the limits,
 * and says visibly that it was shortened.
 */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import type { ChatReply, InstanceRow } from '../../src/chat/core/replies.js';
import { showActionResult } from '../../src/chat/slack/actionResult.js';
import { nagBlocks, nagText } from '../../src/chat/slack/blockKit.js';
import { buildHomeView } from '../../src/chat/slack/homeView.js';
import { renderReply as slackReply } from '../../src/chat/slack/replyBlocks.js';
import { SlackGateway } from '../../src/chat/slack/slackGateway.js';
import { SlackWorkloadProgressPoster } from '../../src/chat/slack/slackWorkloadProgress.js';
import { snoozeModal } from '../../src/chat/slack/snoozeModal.js';
import { renderNagCard } from '../../src/chat/teams/nagCard.js';
import { renderReply as teamsReply } from '../../src/chat/teams/replyCards.js';
import { renderProgressCard } from '../../src/chat/teams/teamsWorkloadProgress.js';
import { consoleUrl, type InstanceRecord } from '../../src/core/instance.js';
import { type NagOutcome, nagMessageFromRecord } from '../../src/core/message/nagMessage.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';
import { adaptiveCardProblems } from '../support/adaptiveCards.js';

const LONG = `${'n'.repeat(2_990)}<>&*_[x](y)`;
const now = new Date('2026-12-01T21:00:00Z');
const base: InstanceRecord = {
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: '2026-12-01T08:00:00.000Z',
  state: 'running',
  stateChangedAt: '2026-12-01T08:00:00.000Z',
  name: LONG,
  instanceType: LONG,
  availabilityZone: LONG,
  accountId: LONG,
  tags: {},
  group: 'g'.repeat(300),
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  snoozedUntil: '2026-12-01T23:00:00.000Z',
  nagCount: 2,
  warnings: Array.from({ length: 12 }, () => LONG),
  chatRefs: [],
  version: 1,
};
const person = { platform: 'slack' as const, id: 'U0ALICE', name: LONG };
const OUTCOMES: (NagOutcome | undefined)[] = [
  undefined,
  { kind: 'stopped', by: person, runtimeSeconds: 4000 },
  { kind: 'snoozed', by: person, until: '2026-12-01T23:00:00.000Z' },
  { kind: 'extended', by: person, thresholdSeconds: 7200 },
  { kind: 'stopped-outside', runtimeSeconds: 4000 },
  { kind: 'terminated' },
  { kind: 'restarted' },
];
const messages = OUTCOMES.map((o) => nagMessageFromRecord(base, now, o));
const rows: InstanceRow[] = Array.from({ length: 500 }, (_, i) => ({
  name: `${i}-${LONG}`,
  instanceId: `i-${String(i).padStart(17, '0')}`,
  region: 'eu-west-1',
  group: 'web',
  state: 'running',
  runtimeSeconds: 4000,
  thresholdSeconds: 3600,
  over: true,
  snoozedUntil: '2026-12-01T23:00:00.000Z',
  undelivered: true,
  consoleUrl: consoleUrl(base),
}));
const lines = Array.from({ length: 500 }, (_, i) => `${i} ${LONG}`);
const REPLIES: ChatReply[] = [
  { kind: 'instances', visibility: 'private', title: LONG, rows, empty: LONG },
  { kind: 'instance', visibility: 'private', intro: LONG, message: messages[0]! },
  { kind: 'text', visibility: 'private', title: LONG, lines },
  { kind: 'error', visibility: 'private', error: LONG, usage: lines },
  { kind: 'refused', visibility: 'private', reason: LONG.repeat(30) },
];
const PROGRESS = { title: LONG, lines, finished: false };

type Loose = Record<string, unknown>;

/** What real Slack checks before it accepts a message or view. */
function slackProblems(payload: Loose, maxBlocks: number): string[] {
  const p: string[] = [];
  const len = (v: unknown) => (v as { text?: string } | undefined)?.text?.length ?? 0;
  if (typeof payload.text === 'string' && payload.text.length > 40_000) p.push('text > 40,000');
  const blocks = (payload.blocks ?? []) as Loose[];
  if (blocks.length > maxBlocks) p.push(`${blocks.length} blocks > ${maxBlocks}`);
  for (const b of blocks) {
    if (typeof b.block_id === 'string' && b.block_id.length > 255) p.push('block_id > 255');
    if (b.type === 'section' && len(b.text) > 3_000) p.push('section text > 3,000');
    if (b.type === 'header' && len(b.text) > 150) p.push('header > 150');
    for (const f of (b.fields ?? []) as Loose[]) if (len(f) > 2_000) p.push('field > 2,000');
    for (const e of (b.elements ?? []) as Loose[]) {
      if (b.type === 'context' && len(e) > 3_000) p.push('context text > 3,000');
      if (typeof e.action_id === 'string' && e.action_id.length > 255) p.push('action_id > 255');
      const confirm = e.confirm as Loose | undefined;
      if (confirm && len(confirm.text) > 300) p.push('confirm text > 300');
    }
  }
  return p;
}

function recordingClient() {
  const sent: Loose[] = [];
  const answer = async (args: Loose) => {
    sent.push(args);
    return { ok: true, channel: 'C0WEB', ts: '1.1', channels: [{ id: 'C0WEB' }] };
  };
  const client = {
    chat: { postMessage: answer, update: answer, postEphemeral: answer },
    users: { conversations: answer },
  } as unknown as WebClient;
  return { client, sent };
}

const TEAMS_MAX_BYTES = 28 * 1024;
const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

describe('platform limits with huge inputs', () => {
  it('Slack: nags, list of 500, status, text, errors, progress, cleanup report, notices, App Home and modal', async () => {
    // Arrange
    const { client, sent } = recordingClient();
    const gateway = new SlackGateway(client);
    const db = openDatabase(':memory:');
    const instances = new SqliteInstanceStore(db);
    const subscriptions = new SqliteSubscriptionStore(db);
    for (let i = 0; i < 150; i++) {
      await instances.put({ ...base, group: 'web', instanceId: `i-${String(i).padStart(17, '0')}` });
    }
    await subscriptions.subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: 'slack:U0ALICE',
      createdAt: now.toISOString(),
    });
    const ref = { platform: 'slack' as const, channelId: 'C0WEB', messageId: '1.1' };
    const channel = { platform: 'slack' as const, channelId: 'C0WEB' };

    // Act
    const replies = REPLIES.map(slackReply);
    for (const m of messages) {
      await gateway.post(channel, m);
      await gateway.update(ref, m);
    }
    await gateway.postText(channel, LONG.repeat(40));
    await gateway.replyInThread(ref, LONG.repeat(40));
    await gateway.notifyPrivately(channel, 'U0ALICE', LONG.repeat(40));
    await new SlackWorkloadProgressPoster(client).post(channel, PROGRESS);
    await showActionResult(
      client,
      { status: 'done', message: messages[1], notice: LONG.repeat(40), updatedRefs: [] },
      { channelId: 'C0WEB', messageTs: '1.1' },
      'U0ALICE',
    );
    const home = await buildHomeView('U0ALICE', { client, subscriptions, instances }, now);
    const modal = snoozeModal({ token: messages[0]!.token, channelId: 'C0WEB', label: LONG });

    // Assert
    const posted = sent.filter((s) => 'text' in s || 'blocks' in s);
    expect(posted).toHaveLength(messages.length * 2 + 6);
    for (const payload of [...replies, ...posted] as Loose[]) expect(slackProblems(payload, 50)).toEqual([]);
    expect(slackProblems(home as unknown as Loose, 100)).toEqual([]);
    expect(slackProblems(modal as unknown as Loose, 100)).toEqual([]);
    const all = JSON.stringify([replies, posted, home, modal]);
    expect(all.match(/… \(truncated\)/g)!.length).toBeGreaterThan(20);
    // The buttons survive: a nag that is shortened still has its controls.
    expect(nagBlocks(messages[0]!).some((b) => b.type === 'actions')).toBe(true);
    expect(nagText(messages[0]!).length).toBeGreaterThan(0);
  });

  it('Teams: nag cards, list of 500, status, text, errors and progress stay within 28 KB and valid', () => {
    // Act
    const cards = [
      ...messages.map((m) => renderNagCard(m, { notice: { text: LONG, tone: 'info' }, intro: LONG })),
      renderProgressCard(PROGRESS),
    ];
    const replies = REPLIES.map(teamsReply);

    // Assert
    for (const c of [...cards, ...replies.map((r) => r.card).filter(Boolean)]) {
      expect(size(c)).toBeLessThanOrEqual(TEAMS_MAX_BYTES - 2_000);
      expect(adaptiveCardProblems(c)).toEqual([]);
    }
    for (const r of replies.filter((x) => x.text)) expect(size(r.text)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    expect(JSON.stringify(replies[0]!.card)).toContain('more');
    expect(JSON.stringify([cards, replies]).match(/… \(truncated\)/g)!.length).toBeGreaterThan(10);
    // Controls stay on a shortened nag card.
    expect(JSON.stringify(cards[0])).toContain('lightsout.stop');
  });
});
