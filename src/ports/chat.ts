/**
 * The outbound side of every chat platform. The platform-neutral chat core
 * (`src/chat/core`) decides what to say; one `ChatGateway` per platform
 * (Slack, Teams) renders the neutral message and talks to the platform's API.
 */

import type { ChatMessageRef, ChatPlatform } from '../core/instance.js';
import type { ConsentWarning } from '../core/message/consentMessage.js';
import type { NagMessage } from '../core/message/nagMessage.js';
import type { EscalationTarget } from '../core/nagRouting.js';
import type { ChannelRef } from './subscriptionStore.js';

export interface ChatGateway {
  readonly platform: ChatPlatform;
  /**
   * Posts a new top-level nag message; returns where it landed so it can be
   * updated later. `postKey` names this nag (run and nag number): a gateway
   * that can look its posts up finds an earlier post with the same key instead
   * of posting twice after an attempt whose outcome it could not tell.
   */
  /**
   * `postKey` identifies the nag post (for platforms that can find it again);
   * `lookFirst` says an earlier attempt may have posted it already.
   */
  post(
    channel: ChannelRef,
    message: NagMessage,
    opts?: { postKey?: string; lookFirst?: boolean },
  ): Promise<ChatMessageRef>;
  /** Replaces a posted message in place (new facts, outcome, fewer buttons). */
  update(ref: ChatMessageRef, message: NagMessage): Promise<void>;
  /**
   * A short reply under the message (Slack thread, Teams reply chain).
   * `broadcast`: also shown in the channel (Slack `reply_broadcast`; Teams
   * posts it to the channel as a new message); `mention`: who it notifies.
   */
  replyInThread(ref: ChatMessageRef, text: string, opts?: ThreadReplyOptions): Promise<void>;
  /** A plain top-level text message (e.g. a cleanup report for an instance that was never nagged). */
  postText(channel: ChannelRef, text: string): Promise<ChatMessageRef>;
  /** A note only `userId` sees in `channel` (Slack ephemeral; Teams may fall back to a 1:1 chat). */
  notifyPrivately(channel: ChannelRef, userId: string, text: string): Promise<void>;
}

/** How loud a repeat nag's thread reply is (see core/nagRouting.ts). */
export interface ThreadReplyOptions {
  broadcast?: boolean;
  mention?: readonly EscalationTarget[];
  /**
   * The reply warns of a consented stop: the gateway words it with each
   * reader's time zone and puts Cancel (and +1h) under it; `text` stays the
   * plain fallback (notifications, screen readers).
   */
  warning?: ConsentWarning;
}

/** The person behind a command or a click, as the chat core needs them. */
export interface ChatActor {
  platform: ChatPlatform;
  /** Slack user id (U…), Teams AAD object id. */
  id: string;
  /** Display name, for audit details and platforms that cannot mention by id. */
  name?: string;
  /** IANA time zone of the person (Slack profile tz, Teams localTimezone); looked up lazily. */
  timeZone?: () => Promise<string | undefined>;
  /** Ids of the user groups the person belongs to (Slack S…), for allow-lists; looked up lazily. */
  userGroups?: () => Promise<string[]>;
  /** The person's email and UPN, as the platform knows them, to match Owner tags; looked up lazily. */
  emails?: () => Promise<string[]>;
}
