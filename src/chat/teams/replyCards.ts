/**
 * Neutral ChatReply → what the bot posts in Teams: an Adaptive Card for
 * lists and instances, plain markdown text otherwise. Teams has no ephemeral
 * messages, so `private` replies go in the command's own thread like the rest.
 */
import { formatDuration } from '../../core/duration.js';
import { instanceLabel } from '../../core/message/nagMessage.js';
import { formatCost } from '../../core/price.js';
import type { ChatReply, InstanceRow } from '../core/replies.js';
import {
  type AdaptiveCard,
  type CardElement,
  card,
  localDateTime,
  markup,
  renderNagCard,
  text,
} from './nagCard.js';
import { clampCard, clampMessageText } from './teamsLimits.js';
import { cardMarkdown, messageMarkdown } from './teamsMarkdown.js';

export interface TeamsReply {
  /** Markdown text (Teams renders a subset). */
  text?: string;
  card?: AdaptiveCard;
  /**
   * More cards after `card` (`mine`: one per instance, each with its own
   * buttons; one card could not hold them, as input ids must be unique in a card).
   */
  more?: AdaptiveCard[];
}

function rowBlock(r: InstanceRow): CardElement {
  const flags = [
    r.over ? 'over threshold' : '',
    r.snoozedUntil ? `snoozed until ${localDateTime(r.snoozedUntil)}` : '',
    r.undelivered ? `last nag undelivered (${r.undeliveredReason ?? 'no channel follows this group'})` : '',
  ].filter(Boolean);
  return {
    type: 'Container',
    separator: true,
    ...(r.over ? { style: 'warning' } : {}),
    items: [
      markup(`**${cardMarkdown(instanceLabel(r))}** · ${cardMarkdown(`${r.group} · ${r.region}`)}`),
      text(
        `${formatDuration(r.runtimeSeconds)} of ${formatDuration(r.thresholdSeconds)}${flags.length ? ` · ${flags.join(' · ')}` : ''} · ${formatCost(r.price, r.runtimeSeconds)}`,
        { isSubtle: true, spacing: 'None' },
      ),
    ],
    selectAction: { type: 'Action.OpenUrl', url: r.consoleUrl, title: 'Open in EC2 console' },
  };
}

/** Lists show this many rows and say how many more exist, as on Slack. */
const MAX_ROWS = 40;

/** Renders a command's answer, within Teams' size limits. */
export function renderReply(reply: ChatReply): TeamsReply {
  const r = renderUnclamped(reply);
  return {
    ...(r.text !== undefined ? { text: clampMessageText(r.text) } : {}),
    ...(r.card ? { card: clampCard(r.card) } : {}),
    ...(r.more ? { more: r.more.map(clampCard) } : {}),
  };
}

function renderUnclamped(reply: ChatReply): TeamsReply {
  switch (reply.kind) {
    case 'text': {
      const title = reply.title ? `**${messageMarkdown(reply.title)}**` : '';
      return { text: [title, ...reply.lines.map(messageMarkdown)].filter(Boolean).join('\n\n') };
    }
    case 'instances': {
      const body: CardElement[] = [text(reply.title, { size: 'Medium', weight: 'Bolder' })];
      if (reply.rows.length === 0) body.push(text(reply.empty, { isSubtle: true }));
      else body.push(...reply.rows.slice(0, MAX_ROWS).map(rowBlock));
      if (reply.rows.length > MAX_ROWS) {
        body.push(
          text(`…and ${reply.rows.length - MAX_ROWS} more. Narrow it with a group or --over.`, {
            isSubtle: true,
          }),
        );
      }
      return { card: card(body) };
    }
    case 'instance':
      return { card: renderNagCard(reply.message, { intro: reply.intro }) };
    case 'owned': {
      // A title card, then each instance's own nag card with its buttons.
      const body: CardElement[] = [text(reply.title, { size: 'Medium', weight: 'Bolder' })];
      if (reply.messages.length === 0) body.push(text(reply.empty, { isSubtle: true }));
      if (reply.more > 0)
        body.push(
          text(`${reply.more} more not shown: \`list all\` shows every instance.`, { isSubtle: true }),
        );
      return {
        card: card(body),
        more: reply.messages.map((m, i) =>
          renderNagCard(m, reply.intros[i] ? { intro: reply.intros[i] } : {}),
        ),
      };
    }
    case 'error':
      return {
        text: [
          messageMarkdown(`That did not work: ${reply.error}.`),
          '**Usage**',
          ...reply.usage.map(messageMarkdown),
        ].join('\n\n'),
      };
    case 'refused':
      return { text: messageMarkdown(reply.reason) };
  }
}
