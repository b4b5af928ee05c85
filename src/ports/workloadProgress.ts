import type { ChatMessageRef, ChatPlatform } from '../core/instance.js';
import type { ChannelRef } from './subscriptionStore.js';

/** The workload progress message in neutral form: a title, lines, and whether the run ended. */
export interface WorkloadProgressMessage {
  title: string;
  lines: string[];
  finished: boolean;
}

/**
 * Posts the one progress message of a workload run in a channel and keeps it
 * updated; one implementation per chat platform.
 */
export interface WorkloadProgressPoster {
  readonly platform: ChatPlatform;
  post(channel: ChannelRef, message: WorkloadProgressMessage): Promise<ChatMessageRef>;
  update(ref: ChatMessageRef, message: WorkloadProgressMessage): Promise<void>;
}
