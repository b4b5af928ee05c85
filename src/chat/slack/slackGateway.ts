/**
 * ChatGateway for Slack over the Web API. The WebClient is built with the
 * configured base URL and retry policy (429s wait for Retry-After), so this
 * file only maps the neutral calls onto chat.* methods.
 */
import type { WebClient } from '@slack/web-api';
import { NotFoundError } from '../../core/errors.js';
import type { ChatMessageRef } from '../../core/instance.js';
import type { NagMessage } from '../../core/message/nagMessage.js';
import type { ChatGateway } from '../../ports/chat.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import { nagBlocks, nagText } from './blockKit.js';

function platformError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } } | undefined)?.data?.error;
}

export class SlackGateway implements ChatGateway {
  readonly platform = 'slack' as const;

  constructor(private readonly client: WebClient) {}

  async post(channel: ChannelRef, message: NagMessage): Promise<ChatMessageRef> {
    return this.postToChannel(channel, { text: nagText(message), blocks: nagBlocks(message) });
  }

  async postText(channel: ChannelRef, text: string): Promise<ChatMessageRef> {
    return this.postToChannel(channel, { text });
  }

  private async postToChannel(
    channel: ChannelRef,
    content: { text: string; blocks?: ReturnType<typeof nagBlocks> },
  ): Promise<ChatMessageRef> {
    const send = () =>
      this.client.chat.postMessage({
        channel: channel.channelId,
        ...content,
        unfurl_links: false,
        unfurl_media: false,
      });
    let res: Awaited<ReturnType<typeof send>>;
    try {
      res = await send();
    } catch (err) {
      // A public channel subscribed by someone else: join it once, then post.
      if (platformError(err) !== 'not_in_channel') throw err;
      await this.client.conversations.join({ channel: channel.channelId });
      res = await send();
    }
    return { platform: 'slack', channelId: res.channel ?? channel.channelId, messageId: res.ts ?? '' };
  }

  async update(ref: ChatMessageRef, message: NagMessage): Promise<void> {
    try {
      await this.client.chat.update({
        channel: ref.channelId,
        ts: ref.messageId,
        text: nagText(message),
        blocks: nagBlocks(message),
      });
    } catch (err) {
      // Someone deleted the message: the chat core posts a fresh one instead.
      if (platformError(err) === 'message_not_found') {
        throw new NotFoundError(`Slack message ${ref.messageId} in ${ref.channelId} no longer exists`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async replyInThread(ref: ChatMessageRef, text: string): Promise<void> {
    await this.client.chat.postMessage({ channel: ref.channelId, thread_ts: ref.messageId, text });
  }

  async notifyPrivately(channel: ChannelRef, userId: string, text: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel: channel.channelId, user: userId, text });
  }
}
