/**
 * Where a nag goes: the channels following its group (or the fallback
 * channels), each with its routing, and the owner's direct conversation when
 * a route asks for it. Part of chat delivery (`delivery.ts`).
 */
import type { ChatPlatform } from '../../core/instance.js';
import { type EscalationTarget, type NagRouting, routeNag, routingOf } from '../../core/nagRouting.js';
import type { NagNotification } from '../../core/notification.js';
import type { OwnerLookup } from '../../ports/ownerDirectory.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import { withChannelTimeout } from './deliveryErrors.js';
import type { DeliveryContext } from './deliveryTypes.js';

/** One place a nag goes: a subscribed channel or the owner's direct conversation, and how loud. */
export interface NagTarget {
  channel: ChannelRef;
  /** The owner's DM / 1:1 chat rather than a channel. */
  direct: boolean;
  broadcast: boolean;
  mention: EscalationTarget[];
}

/**
 * Where this nag goes: each following channel's route (core/nagRouting.ts)
 * decides between the channel, the owner's DM on that platform, or both, and
 * how loud. The owner is looked up once per platform (and remembered, see
 * OwnerReach); an owner who cannot be reached leaves the nag to the channel,
 * and a failed lookup becomes the owner warning.
 */
export async function targetsOf(
  ctx: DeliveryContext,
  n: NagNotification,
  followers: { channel: ChannelRef; routing: NagRouting }[],
): Promise<{ targets: NagTarget[]; ownerWarning?: string }> {
  const owners = ctx.deps.owners;
  const wantsOwner = [
    ...new Set(
      followers.filter((f) => (f.routing.route ?? 'channel') !== 'channel').map((f) => f.channel.platform),
    ),
  ];
  const direct = new Map<ChatPlatform, ChannelRef>();
  const warnings: string[] = [];
  if (n.owner && owners) {
    await Promise.all(
      wantsOwner.map(async (platform) => {
        // A lookup that hangs must not hold the channel's nag: bounded like a channel, then the channel.
        const found = await withChannelTimeout(`${platform}:owner`, ctx.channelTimeoutSeconds, () =>
          owners.lookup(platform, n.owner!),
        ).catch(
          (err: unknown): OwnerLookup => ({
            kind: 'failed',
            reason: `Owner ${JSON.stringify(n.owner!.value)} could not be looked up in time (${String(err)})`,
            lasting: false,
          }),
        );
        if (found.kind === 'found') direct.set(platform, found.channel);
        else if (found.kind === 'failed') warnings.push(found.reason);
      }),
    );
  }
  const targets: NagTarget[] = [];
  const toOwner = new Set<ChatPlatform>();
  for (const f of followers) {
    const decision = routeNag(f.routing, n.nagCount, direct.has(f.channel.platform));
    ctx.deps.log.debug('nag routed', {
      instanceId: n.instanceId,
      channel: `${f.channel.platform}:${f.channel.channelId}`,
      reason: decision.reason,
    });
    if (decision.owner) toOwner.add(f.channel.platform);
    if (decision.channel)
      targets.push({
        channel: f.channel,
        direct: false,
        broadcast: decision.broadcast,
        mention: decision.mention,
      });
  }
  for (const platform of toOwner) {
    targets.push({ channel: direct.get(platform)!, direct: true, broadcast: false, mention: [] });
  }
  return { targets, ownerWarning: warnings.length ? warnings.sort().join('; ') : undefined };
}

/**
 * The channels following `group` on platforms this deployment runs, with
 * their routing and broken flag; else the fallback channels, routed as `channel`.
 */
export async function followersOf(
  ctx: DeliveryContext,
  group: string,
): Promise<{ channel: ChannelRef; routing: NagRouting; broken?: boolean }[]> {
  const subs = (await ctx.deps.subscriptions.forGroup(group)).filter((s) =>
    ctx.gateways.has(s.channel.platform),
  );
  if (subs.length)
    return subs.map((s) => ({ channel: s.channel, routing: routingOf(s), broken: !!s.broken }));
  return [...ctx.gateways.keys()]
    .map((p) => ctx.deps.fallbackChannels[p])
    .filter((c): c is ChannelRef => !!c)
    .map((channel) => ({ channel, routing: {} }));
}

/** Subscribed channels on platforms this deployment runs; else the fallback channels. */
export async function channelsFor(ctx: DeliveryContext, group: string): Promise<ChannelRef[]> {
  const subs = await ctx.deps.subscriptions.forGroup(group);
  const reachable = subs.map((s) => s.channel).filter((c) => ctx.gateways.has(c.platform));
  if (reachable.length) return reachable;
  return [...ctx.gateways.keys()]
    .map((p) => ctx.deps.fallbackChannels[p])
    .filter((c): c is ChannelRef => !!c);
}
