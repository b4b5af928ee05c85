/** Where a command or click came from: the platform, channel and person. */
import type { ChatActor } from '../../ports/chat.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';

export interface CommandContext {
  channel: ChannelRef;
  actor: ChatActor;
  /**
   * A platform id unique to this request (Slack trigger_id/action_ts, Teams
   * activity id). Side-effecting operations claim it once so a platform retry
   * never repeats them.
   */
  requestId?: string;
  /**
   * How this platform spells the command (`/ec2`, `@Lights Out`), so replies
   * that say what to send next name something the person can actually type.
   * Set by CommandService for extensions; absent means `/ec2`.
   */
  prefix?: string;
}
