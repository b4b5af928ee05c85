/**
 * The digest on Teams: one Adaptive Card with the same figures as Slack's
 * summary and chart, as tables (Teams shows no uploaded image in a channel
 * without extra permissions; a table reads as well and needs none).
 */
import type { Digest } from '../../core/digest.js';
import {
  avoidedText,
  costText,
  dailyFigures,
  formatHours,
  instanceText,
  stoppedByText,
  summaryLines,
} from '../../core/digestText.js';
import type { DigestPoster } from '../../ports/digestPoster.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import { CardFactory, MessageFactory } from './agentsSdk.js';
import { type AdaptiveCard, type CardElement, card, text } from './nagCard.js';
import type { TeamsGateway } from './teamsGateway.js';
import { clampCard, clampMarkdown } from './teamsLimits.js';

/** An Adaptive Card Table (schema 1.5; the first row is the header by default); every cell a TextBlock of escaped text. */
function table(header: string[], rows: string[][]): CardElement {
  const row = (cells: string[], bold = false): CardElement => ({
    type: 'TableRow',
    cells: cells.map((c) => ({ type: 'TableCell', items: [text(c, bold ? { weight: 'Bolder' } : {})] })),
  });
  return {
    type: 'Table',
    showGridLines: false,
    columns: header.map(() => ({ width: 1 })),
    rows: [row(header, true), ...rows.map((r) => row(r))],
  };
}

const heading = (value: string): CardElement => text(value, { weight: 'Bolder', spacing: 'Medium' });

export function renderDigestCard(digest: Digest): AdaptiveCard {
  const [title, ...summary] = summaryLines(digest);
  const body: CardElement[] = [
    text('Lights Out weekly digest', { size: 'Medium', weight: 'Bolder' }),
    text(title!, { spacing: 'Small', isSubtle: true }),
    ...summary.map((line) => text(line, { spacing: 'Small' })),
    heading(`Top ${digest.top.length || 5} by cost beyond threshold`),
  ];
  body.push(
    digest.top.length
      ? table(
          ['Instance', 'Owner', 'Beyond', 'Cost'],
          digest.top.map((i) => [
            instanceText(i),
            i.owner ?? '-',
            formatHours(i.hoursBeyond),
            costText(i.cost),
          ]),
        )
      : text('Nothing ran beyond its threshold.'),
  );
  if (digest.stops.length) {
    body.push(heading('Stopped through Lights Out'));
    body.push(
      table(
        ['Instance', 'By', 'Avoided', 'Cost avoided'],
        digest.stops.map((s) => [
          instanceText(s),
          stoppedByText(s),
          formatHours(s.avoidedHours),
          avoidedText(s),
        ]),
      ),
    );
  }
  body.push(heading('Daily cost beyond threshold'));
  body.push(table(['Day', 'Beyond', 'Cost'], digest.daily.map(dailyFigures)));
  return clampCard(card(body));
}

export class TeamsDigestPoster implements DigestPoster {
  readonly platform = 'teams' as const;

  constructor(private readonly gateway: TeamsGateway) {}

  async post(channel: ChannelRef, digest: Digest, opts: { signal?: AbortSignal } = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(renderDigestCard(digest)));
    activity.summary = clampMarkdown(summaryLines(digest)[0]!, 200);
    await this.gateway.postActivity(channel, activity);
  }
}
