/** Block Kit rendering of the chat core's neutral replies (command answers, refusals, lists). */
import { formatDuration } from '../../core/duration.js';
import { count } from '../../core/plural.js';
import { formatCost } from '../../core/price.js';
import type { ChatReply, InstanceRow } from '../core/replies.js';
import { nagBlocks, nagText, type SlackBlock, slackDate } from './blockKit.js';
import { esc, link } from './mrkdwn.js';
import { clampMessage } from './slackLimits.js';

export interface SlackReply {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks: SlackBlock[];
}

/** Slack refuses messages over 50 blocks; lists show this many rows and say how many more exist. */
const MAX_ROWS = 40;

const md = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

export function renderReply(reply: ChatReply): SlackReply {
  return clampMessage(renderUnclamped(reply));
}

function renderUnclamped(reply: ChatReply): SlackReply {
  const response_type = reply.visibility === 'channel' ? 'in_channel' : 'ephemeral';
  switch (reply.kind) {
    case 'text': {
      const body = reply.lines.map(esc).join('\n');
      const text = reply.title ? `*${esc(reply.title)}*\n${body}` : body;
      return { response_type, text: stripMarkup(text), blocks: [md(text)] };
    }
    case 'error': {
      // Errors quote what the person typed: escaped so it cannot become a mention or link.
      const text = `:x: ${esc(reply.error)}\n*Usage*\n${reply.usage.map((u) => `• ${esc(u)}`).join('\n')}`;
      return {
        response_type,
        text: esc(`${reply.error}. Usage: ${reply.usage.join(' | ')}`),
        blocks: [md(text)],
      };
    }
    case 'refused':
      return { response_type, text: esc(reply.reason), blocks: [md(`:no_entry: ${esc(reply.reason)}`)] };
    case 'instance': {
      const intro: SlackBlock[] = reply.intro
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: esc(reply.intro) }] }]
        : [];
      return {
        response_type,
        text: reply.intro ? esc(reply.intro) : nagText(reply.message),
        blocks: [...intro, ...nagBlocks(reply.message)],
      };
    }
    case 'owned': {
      // Each instance as its nag message, buttons included; Slack allows 50 blocks a message.
      const blocks: SlackBlock[] = [
        { type: 'header', text: { type: 'plain_text', text: reply.title.slice(0, 150) } },
      ];
      if (reply.messages.length === 0) blocks.push(md(esc(reply.empty)));
      reply.messages.forEach((m, i) => {
        const intro = reply.intros[i];
        blocks.push({ type: 'divider' });
        if (intro) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: esc(intro) }] });
        blocks.push(...nagBlocks(m));
      });
      if (reply.more > 0) {
        blocks.push({
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `…and ${reply.more} more. \`list all\` shows every instance.` }],
        });
      }
      return {
        response_type,
        text: esc(
          reply.messages.length
            ? `${reply.title}: ${count(reply.messages.length + reply.more, 'instance')}`
            : reply.empty,
        ),
        blocks,
      };
    }
    case 'instances': {
      const blocks: SlackBlock[] = [
        { type: 'header', text: { type: 'plain_text', text: reply.title.slice(0, 150) } },
      ];
      if (reply.rows.length === 0) blocks.push(md(esc(reply.empty)));
      for (const row of reply.rows.slice(0, MAX_ROWS)) blocks.push(md(rowMrkdwn(row)));
      if (reply.rows.length > MAX_ROWS) {
        blocks.push({
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `…and ${reply.rows.length - MAX_ROWS} more. Narrow it with a group or \`--over\`.`,
            },
          ],
        });
      }
      const over = reply.rows.filter((r) => r.over).length;
      return {
        response_type,
        text: esc(`${reply.title}: ${count(reply.rows.length, 'instance')}, ${over} over threshold`),
        blocks,
      };
    }
  }
}

/** One list row: over-threshold marked, runtime/threshold, next nag in the reader's time zone. */
export function rowMrkdwn(r: InstanceRow): string {
  const mark = r.over ? ':red_circle:' : ':large_green_circle:';
  const name = `${link(r.consoleUrl, r.name ?? r.instanceId)}${r.name ? ` \`${esc(r.instanceId)}\`` : ''}`;
  const notes = [
    `\`${esc(r.group)}\``,
    `${formatDuration(r.runtimeSeconds)} / ${formatDuration(r.thresholdSeconds)}`,
    esc(formatCost(r.price, r.runtimeSeconds)),
    r.snoozedUntil ? `snoozed until ${slackDate(r.snoozedUntil)}` : '',
    r.nextNagAt && !r.snoozedUntil ? `next nag ${slackDate(r.nextNagAt)}` : '',
    r.undelivered
      ? `:mailbox_with_no_mail: last nag undelivered (${esc(r.undeliveredReason ?? 'no channel follows this group')})`
      : '',
  ].filter(Boolean);
  return `${mark} *${name}* · ${notes.join(' · ')}`;
}

function stripMarkup(text: string): string {
  return text.replace(/[*`]/g, '');
}
