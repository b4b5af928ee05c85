/**
 * Who may act where. Actions on a group's instances are accepted only from
 * channels subscribed to that group (or the fallback channel, for groups
 * nobody follows). Optional per-group allow-lists narrow who may stop; an
 * optional admin list narrows who may change subscriptions. Every refusal
 * carries the reason the person is shown.
 */
import type { ChatPlatform } from '../../core/instance.js';
import type { ChatActor } from '../../ports/chat.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';

export interface AccessPolicy {
  /** Group → user or user-group ids allowed to stop its instances. Groups not listed: anyone in a subscribed channel. */
  stopAllow: Record<string, string[]>;
  /** Ids allowed to subscribe/unsubscribe channels (and to stop anywhere they may act). Empty: everyone. */
  admins: string[];
}

export const OPEN_POLICY: AccessPolicy = { stopAllow: {}, admins: [] };

export type Decision = { ok: true } | { ok: false; reason: string };

export interface AuthorizerDeps {
  subscriptions: SubscriptionStore;
  policies: Partial<Record<ChatPlatform, AccessPolicy>>;
  /** Per platform: the channel that receives groups nobody subscribed to. */
  fallbackChannels: Partial<Record<ChatPlatform, ChannelRef>>;
}

export class Authorizer {
  constructor(private readonly deps: AuthorizerDeps) {}

  private policy(platform: ChatPlatform): AccessPolicy {
    return this.deps.policies[platform] ?? OPEN_POLICY;
  }

  private async idsOf(actor: ChatActor): Promise<string[]> {
    return [actor.id, ...((await actor.userGroups?.()) ?? [])];
  }

  private async isAdmin(actor: ChatActor): Promise<boolean> {
    const { admins } = this.policy(actor.platform);
    if (admins.length === 0) return false;
    return (await this.idsOf(actor)).some((id) => admins.includes(id));
  }

  /** True when `channel` receives `group`'s nags: subscribed, or the fallback for an unfollowed group. */
  async channelFollows(channel: ChannelRef, group: string): Promise<boolean> {
    const subs = await this.deps.subscriptions.forGroup(group);
    if (
      subs.some((s) => s.channel.platform === channel.platform && s.channel.channelId === channel.channelId)
    ) {
      return true;
    }
    const fallback = this.deps.fallbackChannels[channel.platform];
    return subs.length === 0 && fallback?.channelId === channel.channelId;
  }

  /** May `actor`, in `channel`, act on an instance of `group`? */
  async mayAct(
    actor: ChatActor,
    channel: ChannelRef,
    group: string,
    action: 'stop' | 'snooze' | 'extend',
    /**
     * The person owns the instance (its Owner tag names them, or this is the
     * owner's direct conversation holding the run's nag): they may act on it
     * from anywhere, not only from channels that follow the group.
     */
    owner = false,
  ): Promise<Decision> {
    if (!owner && !(await this.channelFollows(channel, group))) {
      return {
        ok: false,
        reason: `This channel is not subscribed to group \`${group}\`, so its instances cannot be changed from here. Use a channel that follows \`${group}\`, or subscribe this one with \`subscribe ${group}\`.`,
      };
    }
    if (action !== 'stop') return { ok: true };
    const allowed = this.policy(actor.platform).stopAllow[group];
    if (!allowed || allowed.length === 0) return { ok: true };
    const ids = await this.idsOf(actor);
    if (ids.some((id) => allowed.includes(id)) || (await this.isAdmin(actor))) return { ok: true };
    return {
      ok: false,
      reason: `Only the people on the stop allow-list of group \`${group}\` may stop its instances; ask one of them or an admin.`,
    };
  }

  /** May `actor` change which groups a channel follows? */
  async mayManageSubscriptions(actor: ChatActor): Promise<Decision> {
    if (this.policy(actor.platform).admins.length === 0 || (await this.isAdmin(actor))) return { ok: true };
    return { ok: false, reason: 'Only Lights Out admins may change subscriptions; ask one of them.' };
  }
}
