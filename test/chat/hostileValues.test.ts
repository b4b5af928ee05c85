/**
 * Every message Lights Out renders, on both platforms, with a hostile value in
 * every field that comes from AWS (Name and other tags, type, zone, account)
 * or from a person (display names, command text, spec names). Nothing may
 * become a mention, a channel-wide notification or a link: Slack markup
 * (`<!…>`, `<http…>`, `<@…>`) appears only where the renderer made it, and
 * Teams markdown links, autolinks and HTML never appear unescaped.
 */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import type { ActionResult } from '../../src/chat/core/actionPipeline.js';
import { parseCommand } from '../../src/chat/core/commands.js';
import type { ChatReply } from '../../src/chat/core/replies.js';
import { showActionResult } from '../../src/chat/slack/actionResult.js';
import { nagBlocks, nagText } from '../../src/chat/slack/blockKit.js';
import { buildHomeView } from '../../src/chat/slack/homeView.js';
import { renderReply as slackReply } from '../../src/chat/slack/replyBlocks.js';
import { SlackGateway } from '../../src/chat/slack/slackGateway.js';
import { SlackWorkloadProgressPoster } from '../../src/chat/slack/slackWorkloadProgress.js';
import { snoozeModal } from '../../src/chat/slack/snoozeModal.js';
import { renderNagCard } from '../../src/chat/teams/nagCard.js';
import { renderReply as teamsReply } from '../../src/chat/teams/replyCards.js';
import { messageMarkdown } from '../../src/chat/teams/teamsMarkdown.js';
import { renderProgressCard } from '../../src/chat/teams/teamsWorkloadProgress.js';
import { cleanupSummary } from '../../src/core/cleanup/cleanupReport.js';
import { consoleUrl, type InstanceRecord } from '../../src/core/instance.js';
import {
  type ChatPerson,
  type NagOutcome,
  nagMessageFromNotification,
  nagMessageFromRecord,
} from '../../src/core/message/nagMessage.js';
import { buildNagNotification } from '../../src/core/notification.js';
import type { WorkloadProgressMessage } from '../../src/ports/workloadProgress.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';

const EVIL =
  '<!channel> AWS creds expired, <https://evil.example/login|re-login here> [re-login](https://evil.example/login) <@U0EVIL> <!here> <#C0EVIL> **now** _x_ `y` <a href="https://evil.example">z</a>\n# head\n- item';

const now = new Date('2026-12-01T21:00:00Z');
const record: InstanceRecord = {
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: '2026-12-01T08:00:00.000Z',
  state: 'running',
  stateChangedAt: '2026-12-01T08:00:00.000Z',
  name: EVIL,
  instanceType: EVIL,
  availabilityZone: EVIL,
  accountId: EVIL,
  tags: { Name: EVIL },
  group: 'web',
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  snoozedUntil: '2026-12-01T23:00:00.000Z',
  nextNagAt: '2026-12-01T22:00:00.000Z',
  nagCount: 2,
  warnings: [EVIL, `Threshold "${EVIL}" is not a duration; using 12h`],
  chatRefs: [],
  undelivered: true,
  version: 1,
};

const slackUser: ChatPerson = { platform: 'slack', id: 'U0ALICE', name: EVIL };
const forgedId: ChatPerson = { platform: 'slack', id: '!channel', name: EVIL };
const teamsUser: ChatPerson = { platform: 'teams', id: '29:abc', name: EVIL };
const OUTCOMES: (NagOutcome | undefined)[] = [
  undefined,
  { kind: 'stopped', by: slackUser, runtimeSeconds: 4000 },
  { kind: 'stopped', by: forgedId, runtimeSeconds: 4000 },
  { kind: 'stopped', by: teamsUser, runtimeSeconds: 4000 },
  { kind: 'snoozed', by: slackUser, until: '2026-12-01T23:00:00.000Z' },
  { kind: 'extended', by: teamsUser, thresholdSeconds: 7200 },
  { kind: 'stopped-outside', runtimeSeconds: 4000 },
  { kind: 'terminated', runtimeSeconds: 4000 },
  { kind: 'restarted' },
];
const messages = [
  nagMessageFromNotification(buildNagNotification(record, now)),
  ...OUTCOMES.map((o) => nagMessageFromRecord(record, now, o)),
];
const parsed = parseCommand(`status ${EVIL} ${'x'.repeat(50)}`);
const REPLIES: ChatReply[] = [
  {
    kind: 'text',
    visibility: 'channel',
    title: EVIL,
    lines: [EVIL, `\`${EVIL}\``, `group \`web\`: ${EVIL}`],
  },
  { kind: 'instances', visibility: 'private', title: EVIL, rows: [], empty: EVIL },
  { kind: 'instances', visibility: 'channel', title: EVIL, rows: [rowOf(record)], empty: EVIL },
  { kind: 'instance', visibility: 'private', intro: EVIL, message: messages[0]! },
  { kind: 'error', visibility: 'private', error: EVIL, usage: [EVIL] },
  parsed.ok
    ? { kind: 'refused', visibility: 'private', reason: 'parsed' }
    : { kind: 'error', ...parsed, visibility: 'private' },
  { kind: 'refused', visibility: 'private', reason: `No monitored instance has the id or Name "${EVIL}".` },
];
const PROGRESS: WorkloadProgressMessage = {
  title: `Workload ${EVIL}`,
  lines: [`✗ tier ${EVIL}: ${EVIL}`],
  finished: false,
};
const CLEANUP = cleanupSummary({ instanceId: record.instanceId, name: EVIL }, [
  { hook: 'route53', ok: true, summary: `removed ${EVIL} A`, changed: true },
  { hook: 'webhook', ok: false, summary: `webhook failed: ${EVIL}`, changed: true },
]);

/** The Slack markup a renderer may make itself; anything else in `<…>` came from a value. */
const RENDERER_MARKUP = [
  /^<!date\^\d+\^[^|<>]*\|[^<>]*>$/,
  /^<@U0ALICE>$/,
  /^<#C0WEB>$/,
  /^<https:\/\/eu-west-1\.console\.aws\.amazon\.com\/ec2\/home\?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0\|[^<>]*>$/,
];

/** Every string Slack would parse as mrkdwn (plain_text objects and modal metadata are not parsed). */
function mrkdwnStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) mrkdwnStrings(x, out);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (k === 'private_metadata' || k === 'url' || k === 'type') continue;
      if (k === 'text' && o.type === 'plain_text') continue;
      mrkdwnStrings(x, out);
    }
  }
  return out;
}

function slackInjections(payload: unknown): string[] {
  return mrkdwnStrings(payload).flatMap((s) =>
    [...s.matchAll(/<[^>]*>?/g)].map((m) => m[0]).filter((t) => !RENDERER_MARKUP.some((r) => r.test(t))),
  );
}

/** `[`, `]`, `<`, `>` not escaped by a backslash, outside code spans (which are literal). */
function teamsInjections(markdown: string, codeSpans: boolean): string[] {
  const plain = codeSpans ? markdown.replace(/`[^`\n]+`/g, '') : markdown;
  return [...plain.matchAll(/(?<!\\)(?:\\\\)*[[\]<>]/g)].map((m) => `${m[0]} in ${JSON.stringify(markdown)}`);
}

function cardMarkdownStrings(card: unknown, out: string[] = []): string[] {
  if (Array.isArray(card)) for (const x of card) cardMarkdownStrings(x, out);
  else if (card && typeof card === 'object') {
    const o = card as Record<string, unknown>;
    if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
    if (o.type === 'FactSet') for (const f of o.facts as { value: string }[]) out.push(f.value);
    for (const x of Object.values(o)) cardMarkdownStrings(x, out);
  }
  return out;
}

/** A Slack Web API client that records what it was asked to send. */
function recordingClient() {
  const sent: unknown[] = [];
  const answer = async (args: unknown) => {
    sent.push(args);
    return { ok: true, channel: 'C0WEB', ts: '1.1', channels: [{ id: 'C0WEB' }] };
  };
  const client = {
    chat: { postMessage: answer, update: answer, postEphemeral: answer },
    users: { conversations: answer },
  } as unknown as WebClient;
  return { client, sent };
}

describe('hostile values from AWS and people render inert', () => {
  it('Slack: nags with every outcome, replies, modal, App Home, progress, cleanup report and notices', async () => {
    // Arrange
    const { client, sent } = recordingClient();
    const gateway = new SlackGateway(client);
    const db = openDatabase(':memory:');
    const instances = new SqliteInstanceStore(db);
    const subscriptions = new SqliteSubscriptionStore(db);
    await instances.put({ ...record, launchTime: '2026-12-01T08:00:00.000Z' });
    await subscriptions.subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: EVIL,
      createdAt: now.toISOString(),
    });
    const ref = { platform: 'slack' as const, channelId: 'C0WEB', messageId: '1.1' };
    const result: ActionResult = { status: 'done', message: messages[2], notice: EVIL, updatedRefs: [] };

    // Act
    const rendered: unknown[] = [
      ...messages.map((m) => ({ text: nagText(m), blocks: nagBlocks(m) })),
      ...REPLIES.map(slackReply),
      snoozeModal({ token: messages[0]!.token, channelId: 'C0WEB', label: EVIL }),
      await buildHomeView('U0ALICE', { client, subscriptions, instances }, now),
    ];
    for (const m of messages) {
      await gateway.post({ platform: 'slack', channelId: 'C0WEB' }, m);
      await gateway.update(ref, m);
    }
    await gateway.postText({ platform: 'slack', channelId: 'C0WEB' }, CLEANUP);
    await gateway.replyInThread(ref, CLEANUP);
    await gateway.notifyPrivately({ platform: 'slack', channelId: 'C0WEB' }, 'U0ALICE', EVIL);
    await new SlackWorkloadProgressPoster(client).post({ platform: 'slack', channelId: 'C0WEB' }, PROGRESS);
    await new SlackWorkloadProgressPoster(client).update(ref, PROGRESS);
    await showActionResult(client, result, { channelId: 'C0WEB', messageTs: '1.1' }, 'U0ALICE');

    // Assert
    const all = [...rendered, ...sent];
    expect(sent.length).toBeGreaterThan(20);
    expect(slackInjections(all)).toEqual([]);
    // The values are still there to read, escaped.
    expect(JSON.stringify(all)).toContain('&lt;!channel&gt; AWS creds expired');
    expect(JSON.stringify(sent)).toContain('webhook failed: &lt;!channel&gt;');
  });

  it('Teams: nag cards with every outcome, reply cards and messages, progress cards', () => {
    // Act
    const cards = [
      ...messages.map((m) => renderNagCard(m, { notice: { text: EVIL, tone: 'warning' }, intro: EVIL })),
      ...messages.map((m) => renderNagCard(m, { confirmStop: true })),
      renderProgressCard(PROGRESS),
    ];
    const replies = REPLIES.map(teamsReply);
    const texts = [...replies.map((r) => r.text).filter((t): t is string => !!t), messageMarkdown(CLEANUP)];
    const replyCards = replies.map((r) => r.card).filter(Boolean);

    // Assert
    const markdown = [...cards, ...replyCards].flatMap((c) => cardMarkdownStrings(c));
    expect(markdown.length).toBeGreaterThan(50);
    expect(markdown.flatMap((m) => teamsInjections(m, false))).toEqual([]);
    expect(texts.flatMap((t) => teamsInjections(t, true))).toEqual([]);
    const outsideCode = texts.map((t) => t.replace(/`[^`\n]+`/g, ''));
    expect([...markdown, ...outsideCode].filter((m) => /(?<!\\)\]\(/.test(m))).toEqual([]);
    // Line-start markers cannot turn a value into a heading or a list.
    expect(markdown.some((m) => /^# head/m.test(m) || /^- item/m.test(m))).toBe(false);
  });
});

function rowOf(r: InstanceRecord) {
  return {
    name: r.name,
    instanceId: r.instanceId,
    region: r.region,
    group: r.group,
    state: r.state,
    runtimeSeconds: 4000,
    thresholdSeconds: 3600,
    over: true,
    snoozedUntil: r.snoozedUntil,
    undelivered: true,
    consoleUrl: consoleUrl(r),
  };
}
