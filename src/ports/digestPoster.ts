/**
 * Posts a channel's digest; one implementation per chat platform (Slack: a
 * Block Kit summary and the chart uploaded as a PNG; Teams: an Adaptive Card
 * with the same figures as tables).
 */
import type { Digest } from '../core/digest.js';
import { LightsOutError } from '../core/errors.js';
import type { ChatPlatform } from '../core/instance.js';
import type { ChannelRef } from './subscriptionStore.js';

export interface DigestPoster {
  readonly platform: ChatPlatform;
  /**
   * Posts the digest. Once `signal` aborts (the post's deadline, well inside
   * the week's claim) it starts no further call and gives up, so nothing it
   * sends lands after another sender could have claimed the week.
   */
  post(channel: ChannelRef, digest: Digest, opts?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * The digest's figures reached the channel but a later part did not (Slack's
 * chart): the week counts as sent, since posting again would repeat the figures.
 */
export class DigestPartlyPostedError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('digest_partly_posted', message, options);
  }
}
