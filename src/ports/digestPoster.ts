/**
 * Posts a channel's digest; one implementation per chat platform (Slack: a
 * Block Kit summary and the chart uploaded as a PNG; Teams: an Adaptive Card
 * with the same figures as tables).
 */
import type { Digest } from '../core/digest.js';
import type { ChatPlatform } from '../core/instance.js';
import type { ChannelRef } from './subscriptionStore.js';

export interface DigestPoster {
  readonly platform: ChatPlatform;
  post(channel: ChannelRef, digest: Digest): Promise<void>;
}
