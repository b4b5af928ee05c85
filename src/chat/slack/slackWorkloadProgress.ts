/**
 * The workload progress message on Slack: posted once when a run starts,
 * then rewritten in place (chat.update) as tiers progress, so the channel
 * sees one message, not one per tier.
 */
import type { WebClient } from '@slack/web-api';
import type { ChatMessageRef } from '../../core/instance.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import type { WorkloadProgressMessage, WorkloadProgressPoster } from '../../ports/workloadProgress.js';
import { esc } from './mrkdwn.js';
import { clampMessage } from './slackLimits.js';

/** mrkdwn: bold title, then the lines; spec names and errors are escaped. */
export function progressText(message: WorkloadProgressMessage): string {
  return [`*${esc(message.title)}*`, ...message.lines.map(esc)].join('\n');
}

export class SlackWorkloadProgressPoster implements WorkloadProgressPoster {
  readonly platform = 'slack' as const;

  constructor(private readonly client: Pick<WebClient, 'chat'>) {}

  async post(channel: ChannelRef, message: WorkloadProgressMessage): Promise<ChatMessageRef> {
    const res = await this.client.chat.postMessage({
      channel: channel.channelId,
      ...clampMessage({ text: progressText(message) }),
      unfurl_links: false,
    });
    return { platform: 'slack', channelId: res.channel ?? channel.channelId, messageId: res.ts ?? '' };
  }

  async update(ref: ChatMessageRef, message: WorkloadProgressMessage): Promise<void> {
    await this.client.chat.update({
      channel: ref.channelId,
      ts: ref.messageId,
      ...clampMessage({ text: progressText(message) }),
    });
  }
}
