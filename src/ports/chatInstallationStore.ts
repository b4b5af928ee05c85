/**
 * Where the bot is installed: Teams tells the bot when it is added to (or
 * removed from) a team or group chat, with the conversation reference needed
 * to speak there later unprompted. Subscriptions name channels; installations
 * remember the teams those channels belong to, so removing the bot can drop
 * the team's subscriptions and a start-up check can say where the bot lives.
 */
import type { ChatPlatform } from '../core/instance.js';
import type { ChannelRef } from './subscriptionStore.js';

export interface ChatInstallation {
  platform: ChatPlatform;
  /** Teams team id (`19:…@thread.tacv2`), or the conversation id of a group chat. */
  id: string;
  /** The team's General channel (or the group chat), with its conversation reference. */
  channel: ChannelRef;
  name?: string;
  /** `teams:<aad-object-id>` of whoever added the bot, when Teams says. */
  installedBy?: string;
  installedAt: string;
}

export interface ChatInstallationStore {
  /** Creates or refreshes (service URLs change over time). */
  save(installation: ChatInstallation): Promise<void>;
  /** Returns false when there was nothing to remove. */
  remove(platform: ChatPlatform, id: string): Promise<boolean>;
  get(platform: ChatPlatform, id: string): Promise<ChatInstallation | undefined>;
  all(platform: ChatPlatform): Promise<ChatInstallation[]>;
}
