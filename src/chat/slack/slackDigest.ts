/**
 * The digest on Slack: a Block Kit summary, then the daily chart uploaded
 * with Slack's external upload flow (what `files.uploadV2` does):
 * `files.getUploadURLExternal` for an upload URL, the PNG posted to it, and
 * `files.completeUploadExternal` to share it in the channel with a comment.
 * Done by hand rather than through the client's uploadV2 so the Lambda
 * bundle need not carry multipart form-data for one upload.
 */
import type { WebClient } from '@slack/web-api';
import type { Digest, DigestInstance, DigestStop } from '../../core/digest.js';
import {
  avoidedText,
  consentText,
  costText,
  formatHours,
  instanceText,
  stoppedByText,
  summaryLines,
  windowText,
} from '../../core/digestText.js';
import { DigestPartlyPostedError, type DigestPoster } from '../../ports/digestPoster.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import { type ChartAssets, dailyCostPng } from '../core/digestChart.js';
import type { SlackBlock } from './blockKit.js';
import { esc } from './mrkdwn.js';
import { clampMessage } from './slackLimits.js';

type Block = SlackBlock;

const section = (mrkdwn: string): Block =>
  ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }) as Block;

const instanceLine = (i: DigestInstance, n?: number): string =>
  `${n ? `${n}. ` : '• '}*${esc(instanceText(i))}* (${esc(i.group)}${i.owner ? `, owner ${esc(i.owner)}` : ''}): ${formatHours(i.hoursBeyond)} beyond, ${esc(costText(i.cost))}`;

const stopLine = (s: DigestStop): string =>
  `• *${esc(instanceText(s))}* stopped by ${esc(stoppedByText(s))}: ${formatHours(s.avoidedHours)} avoided, ${esc(avoidedText(s))}; ${esc(s.reason)}`;

/** The summary message; every value from AWS or a person is escaped. */
export function digestBlocks(digest: Digest): { text: string; blocks: Block[] } {
  const [title, ...summary] = summaryLines(digest);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Lights Out weekly digest' } } as Block,
    section(`${esc(title!)}\n${summary.map(esc).join('\n')}`),
    section(
      digest.top.length
        ? `*Top ${digest.top.length} by cost beyond threshold*\n${digest.top.map((i, n) => instanceLine(i, n + 1)).join('\n')}`
        : '*Nothing ran beyond its threshold.*',
    ),
  ];
  if (digest.overThreshold.length > digest.top.length) {
    blocks.push(
      section(
        `…and ${digest.overThreshold.length - digest.top.length} more beyond threshold; \`lightsout report\` lists them all.`,
      ),
    );
  }
  if (digest.stops.length) {
    blocks.push(section(`*Stopped through Lights Out*\n${digest.stops.map(stopLine).join('\n')}`));
  }
  if (digest.consented.length) {
    blocks.push(
      section(
        `*Consented stops*\n${digest.consented.map((s) => `• *${esc(instanceText(s))}* ${esc(consentText(s.consent!))}`).join('\n')}`,
      ),
    );
  }
  const message = clampMessage({ text: `${title}. ${summary.join('. ')}`, blocks });
  return { text: message.text, blocks: message.blocks };
}

export class SlackDigestPoster implements DigestPoster {
  readonly platform = 'slack' as const;

  constructor(
    private readonly client: WebClient,
    private readonly assets: ChartAssets,
  ) {}

  async post(channel: ChannelRef, digest: Digest, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    await this.client.chat.postMessage({
      channel: channel.channelId,
      ...digestBlocks(digest),
      unfurl_links: false,
      unfurl_media: false,
    });
    // The figures are out: a chart that fails now must not make the week count as unsent and post them again.
    try {
      const png = await dailyCostPng(digest.daily, 'Daily cost beyond threshold (USD)', this.assets);
      await this.upload(channel.channelId, png, `Daily cost beyond threshold, ${windowText(digest)}`, signal);
    } catch (err) {
      throw new DigestPartlyPostedError(
        `the summary was posted but not the chart: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }

  /** Each step checks the deadline first: the client's own calls cannot be aborted, only not started. */
  private async upload(
    channelId: string,
    png: Uint8Array,
    comment: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const filename = 'lightsout-digest.png';
    signal?.throwIfAborted();
    const target = await this.client.files.getUploadURLExternal({ filename, length: png.byteLength });
    if (!target.upload_url || !target.file_id) {
      throw new Error('files.getUploadURLExternal answered without an upload URL');
    }
    const res = await fetch(target.upload_url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: png,
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new Error(`the chart upload was refused: HTTP ${res.status}`);
    signal?.throwIfAborted();
    await this.client.files.completeUploadExternal({
      files: [{ id: target.file_id, title: 'Daily cost beyond threshold' }],
      channel_id: channelId,
      initial_comment: comment,
    });
  }
}
