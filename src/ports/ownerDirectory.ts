/**
 * Reaching an instance's owner on one chat platform: the owner's direct
 * conversation with the bot (a Slack DM, a Teams 1:1 chat), found from the
 * Owner tag. The chat core posts the nag there like into any channel.
 */
import type { ChatPlatform } from '../core/instance.js';
import type { Owner } from '../core/owner.js';
import type { ChannelRef } from './subscriptionStore.js';

export type OwnerLookup =
  /** The owner's direct conversation. */
  | { kind: 'found'; channel: ChannelRef }
  /** The owner is named for another platform (a Slack id seen by Teams): not a problem, not tried. */
  | { kind: 'elsewhere' }
  /**
   * Nobody found, or the platform refused: shown as a warning on the instance.
   * `lasting`: a lookup again soon would answer the same (not found, missing scope);
   * otherwise it was a passing failure (network, rate limit) and is retried sooner.
   */
  | { kind: 'failed'; reason: string; lasting: boolean };

export interface OwnerDirectory {
  readonly platform: ChatPlatform;
  /** Never throws: every failure is a `failed` answer. */
  directChannel(owner: Owner): Promise<OwnerLookup>;
}
