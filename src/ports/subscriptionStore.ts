import type { ChatPlatform } from '../core/instance.js';

/** A chat channel that can receive nags: a Slack channel or a Teams channel. */
export interface ChannelRef {
  platform: ChatPlatform;
  /** Slack channel id (C…), or Teams channel conversation id. */
  channelId: string;
  /** Teams only: what proactive messages need to reach the channel again. */
  serviceUrl?: string;
  tenantId?: string;
  teamId?: string;
  /** Teams only: the serialized ConversationReference captured at install. */
  conversationReference?: Record<string, unknown>;
}

export interface Subscription {
  group: string;
  channel: ChannelRef;
  createdBy: string;
  createdAt: string;
  /** Set when the channel refused a post for good (deleted, archived, app removed). */
  broken?: BrokenChannel;
}

export interface BrokenChannel {
  /** The platform's reason, e.g. `channel_not_found`, `HTTP 403`. */
  reason: string;
  since: string;
}

/**
 * Which chat channels follow which MonitorGroup. Slack and Teams channels are
 * stored side by side; a group can feed many channels and a channel can
 * follow many groups.
 */
export interface SubscriptionStore {
  /** Idempotent: subscribing twice keeps one subscription. */
  subscribe(sub: Subscription): Promise<void>;
  /** Returns false when there was nothing to remove. */
  unsubscribe(group: string, channel: Pick<ChannelRef, 'platform' | 'channelId'>): Promise<boolean>;
  forGroup(group: string): Promise<Subscription[]>;
  forChannel(channel: Pick<ChannelRef, 'platform' | 'channelId'>): Promise<Subscription[]>;
  all(): Promise<Subscription[]>;
  /**
   * Flags every subscription of `channel` as broken (or clears the flag with
   * `undefined`). Optional so stores without it still work; both adapters have it.
   */
  markBroken?(
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    broken: BrokenChannel | undefined,
  ): Promise<void>;
}
