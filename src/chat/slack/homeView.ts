/**
 * The App Home tab: the groups followed by channels the person is in, those
 * groups' over-threshold instances, and the snoozes in force.
 */
import type { WebClient } from '@slack/web-api';
import { buildStoredRunReport, type InstanceRow } from '../../core/runtimeReport.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { SubscriptionStore } from '../../ports/subscriptionStore.js';
import { type SlackBlock, slackDate } from './blockKit.js';
import { channelLink, esc } from './mrkdwn.js';
import { rowMrkdwn } from './replyBlocks.js';
import { clampView } from './slackLimits.js';

export interface HomeDeps {
  client: WebClient;
  subscriptions: SubscriptionStore;
  instances: InstanceStore;
}

/** Home tabs accept at most 100 blocks; each list keeps to this many rows. */
const MAX_ROWS = 30;

export async function buildHomeView(userId: string, deps: HomeDeps, now: Date) {
  const subs = (await deps.subscriptions.all()).filter((s) => s.channel.platform === 'slack');
  const mine = await memberChannels(deps.client, userId);
  const followed = mine ? subs.filter((s) => mine.has(s.channel.channelId)) : subs;
  const groups = [...new Set(followed.map((s) => s.group))].sort();
  const records = (
    await Promise.all(groups.map((group) => deps.instances.list({ group, states: ['pending', 'running'] })))
  ).flat();
  // The same rows `/ec2 list` shows, so both say the same about each run.
  const report = buildStoredRunReport(records, now);
  const over = report.filter((r) => r.over);
  const snoozed = report.filter((r) => r.snoozedUntil);

  const md = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Lights Out' } }];
  blocks.push(
    md(
      groups.length
        ? `*Your groups* (followed by channels you are in)\n${groups
            .map(
              (g) =>
                `\`${esc(g)}\` in ${followed
                  .filter((s) => s.group === g)
                  .map((s) => channelLink(s.channel.channelId))
                  .join(', ')}`,
            )
            .join('\n')}`
        : '*Your groups*\nNone of your channels follows a group yet. In a channel, run `/ec2 subscribe <group>`.',
    ),
  );
  if (!mine)
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Could not read your channel list, so every subscribed group is shown.' },
      ],
    });
  blocks.push({ type: 'divider' }, md(`*Over threshold* (${over.length})`));
  blocks.push(...(over.length ? rows(over) : [md('Nothing is over its threshold. :tada:')]));
  blocks.push({ type: 'divider' }, md(`*Snoozes in force* (${snoozed.length})`));
  blocks.push(
    ...(snoozed.length
      ? snoozed
          .slice(0, MAX_ROWS)
          .map((r) =>
            md(
              `:zzz: *${esc(r.name ?? r.instanceId)}* \`${esc(r.instanceId)}\` until ${slackDate(r.snoozedUntil!, '{date_short_pretty} {time}')}`,
            ),
          )
      : [md('No snoozes.')]),
  );
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Updated ${slackDate(now.toISOString())} · \`/ec2 help\` for commands` },
    ],
  });
  return clampView({ type: 'home' as const, blocks });
}

function rows(report: InstanceRow[]): SlackBlock[] {
  return report
    .slice(0, MAX_ROWS)
    .map((r) => ({ type: 'section', text: { type: 'mrkdwn', text: rowMrkdwn(r) } }));
}

/** Channels the person belongs to, or undefined when Slack would not say (missing scope). */
async function memberChannels(client: WebClient, userId: string): Promise<Set<string> | undefined> {
  try {
    const ids = new Set<string>();
    let cursor: string | undefined;
    do {
      const res = await client.users.conversations({
        user: userId,
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 999,
        cursor,
      });
      for (const c of res.channels ?? []) if (c.id) ids.add(c.id);
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return ids;
  } catch {
    return undefined;
  }
}
