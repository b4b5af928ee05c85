import type { ChatPlatform } from '../core/instance.js';
import type { NagRouting } from '../core/nagRouting.js';

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

/**
 * One channel following one group. The routing fields (route, escalateAfter,
 * escalateTo, broadcastEvery; see core/nagRouting.ts) are absent on
 * subscriptions made before they existed, which then read as `channel`.
 */
export interface Subscription extends NagRouting {
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
  /**
   * Idempotent: subscribing twice keeps one subscription. Routing fields that
   * are given replace the stored ones; absent ones keep theirs; `escalateTo: []` clears it.
   */
  subscribe(sub: Subscription): Promise<void>;
  /**
   * Changes the routing of an existing subscription (same merge rule as
   * `subscribe`); false when the channel does not follow the group.
   */
  configure(
    group: string,
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    routing: NagRouting,
  ): Promise<boolean>;
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
