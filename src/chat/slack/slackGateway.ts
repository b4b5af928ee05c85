/**
 * ChatGateway for Slack over the Web API. The WebClient is built with the
 * configured base URL and retry policy (429s wait for Retry-After), so this
 * file only maps the neutral calls onto chat.* methods.
 *
 * Nag posts go exactly once per nag and channel. They use a second client that
 * never retries by itself (a post that timed out may well have landed), and
 * carry message metadata (`event_type: lightsout_nag`, the nag's key). When a
 * post's outcome is unknown (timeout, dropped connection, 5xx), the channel's
 * recent history is searched for that key before anything is posted again.
 */
import type { WebClient } from '@slack/web-api';
import { NotFoundError } from '../../core/errors.js';
import type { ChatMessageRef } from '../../core/instance.js';
import type { NagMessage } from '../../core/message/nagMessage.js';
import type { ChatGateway, ThreadReplyOptions } from '../../ports/chat.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import { classifyChatFailure } from '../core/deliveryErrors.js';
import { nagBlocks, nagText, warningBlocks } from './blockKit.js';
import { esc, escalationMentions } from './mrkdwn.js';
import { clampMessage } from './slackLimits.js';

function platformError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } } | undefined)?.data?.error;
}

/** The `event_type` of the metadata on every nag post. */
export const NAG_EVENT_TYPE = 'lightsout_nag';
/** How many recent messages are searched for an unsure post. */
const LOOKUP_LIMIT = 100;

interface NagMetadata {
  event_type: typeof NAG_EVENT_TYPE;
  event_payload: { key: string; instance: string; nag: number };
}

export class SlackGateway implements ChatGateway {
  readonly platform = 'slack' as const;
  /** Keys of posts whose outcome was unknown: looked up before posting again. */
  private readonly unsure = new Set<string>();

  /** `postClient` must not retry on its own (see the file comment); defaults to `client`. */
  constructor(
    private readonly client: WebClient,
    private readonly postClient: WebClient = client,
  ) {}

  async post(
    channel: ChannelRef,
    message: NagMessage,
    opts: { postKey?: string; lookFirst?: boolean } = {},
  ): Promise<ChatMessageRef> {
    const content = { text: nagText(message), blocks: nagBlocks(message) };
    const key = opts.postKey;
    if (!key) return this.postToChannel(channel, content);
    const unsureKey = `${channel.channelId}#${key}`;
    if (opts.lookFirst || this.unsure.has(unsureKey)) {
      const found = await this.findPosted(channel, key);
      if (found) {
        this.unsure.delete(unsureKey);
        return found;
      }
    }
    const metadata: NagMetadata = {
      event_type: NAG_EVENT_TYPE,
      event_payload: { key, instance: message.facts.instanceId, nag: message.facts.nagCount },
    };
    try {
      const ref = await this.postToChannel(channel, { ...content, metadata }, this.postClient);
      this.unsure.delete(unsureKey);
      return ref;
    } catch (err) {
      if (classifyChatFailure(err).kind !== 'unsure') throw err;
      // It may have landed: look before the caller retries.
      this.unsure.add(unsureKey);
      const found = await this.findPosted(channel, key).catch(() => undefined);
      if (found) {
        this.unsure.delete(unsureKey);
        return found;
      }
      throw err;
    }
  }

  /** A nag post with `key` among the channel's recent messages, if there is one. */
  private async findPosted(channel: ChannelRef, key: string): Promise<ChatMessageRef | undefined> {
    const res = await this.client.conversations.history({
      channel: channel.channelId,
      include_all_metadata: true,
      limit: LOOKUP_LIMIT,
    });
    const hit = (res.messages ?? []).find((m) => {
      const meta = (m as { metadata?: Partial<NagMetadata> }).metadata;
      return meta?.event_type === NAG_EVENT_TYPE && meta.event_payload?.key === key;
    });
    return hit?.ts ? { platform: 'slack', channelId: channel.channelId, messageId: hit.ts } : undefined;
  }

  /** `text` is neutral text (cleanup reports): escaped here so AWS values cannot mention or link. */
  async postText(channel: ChannelRef, text: string): Promise<ChatMessageRef> {
    return this.postToChannel(channel, { text: esc(text) });
  }

  private async postToChannel(
    channel: ChannelRef,
    content: { text: string; blocks?: ReturnType<typeof nagBlocks>; metadata?: NagMetadata },
    client: WebClient = this.client,
  ): Promise<ChatMessageRef> {
    const send = () =>
      client.chat.postMessage({
        channel: channel.channelId,
        ...clampMessage(content),
        unfurl_links: false,
        unfurl_media: false,
      });
    let res: Awaited<ReturnType<typeof send>>;
    try {
      res = await send();
    } catch (err) {
      // A public channel subscribed by someone else: join it once, then post.
      if (platformError(err) !== 'not_in_channel') throw err;
      // A private channel cannot be joined: then not_in_channel stands (a permanent refusal).
      await this.client.conversations.join({ channel: channel.channelId }).catch(() => {
        throw err;
      });
      res = await send();
    }
    return { platform: 'slack', channelId: res.channel ?? channel.channelId, messageId: res.ts ?? '' };
  }

  async update(ref: ChatMessageRef, message: NagMessage): Promise<void> {
    try {
      await this.client.chat.update({
        channel: ref.channelId,
        ts: ref.messageId,
        ...clampMessage({ text: nagText(message), blocks: nagBlocks(message) }),
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

  async replyInThread(ref: ChatMessageRef, text: string, opts: ThreadReplyOptions = {}): Promise<void> {
    const mentions = opts.mention?.length ? escalationMentions(opts.mention) : '';
    const reply = {
      channel: ref.channelId,
      thread_ts: ref.messageId,
      ...clampMessage({
        text: `${mentions ? `${mentions} ` : ''}${esc(text)}`,
        // A warning of a consented stop carries Cancel (and +1h), and its time in each reader's zone.
        ...(opts.warning ? { blocks: warningBlocks(opts.warning) } : {}),
      }),
    };
    // A thread reply notifies almost nobody; broadcast, it shows in the channel as well.
    await this.client.chat.postMessage(opts.broadcast ? { ...reply, reply_broadcast: true } : reply);
  }

  async notifyPrivately(channel: ChannelRef, userId: string, text: string): Promise<void> {
    await this.client.chat.postEphemeral({
      channel: channel.channelId,
      user: userId,
      ...clampMessage({ text: esc(text) }),
    });
  }
}
