/**
 * Who a nag reaches, per subscription (a group followed by a channel), and how
 * loud a repeat is. Pure: the chat core asks `routeNag` for each subscribed
 * channel and nag number and acts on the answer, whose reason is logged.
 *
 * - `channel` (the default, as before): the channel gets every nag.
 * - `owner`: the owner's DM gets every nag; the channel only when the owner
 *   cannot be reached (no Owner tag, or the lookup failed), so a nag never
 *   reaches nobody.
 * - `owner-then-channel`: the owner first, and the channel as well from nag
 *   `escalateAfter` on (default 3).
 *
 * Repeats get louder: every `broadcastEvery`-th repeat (default 3, 0 = never)
 * the thread reply is posted to the channel too, and from nag `escalateAfter`
 * on the escalation target (`escalateTo`) is mentioned.
 */

import { type GroupAutoStop, groupAutoStopText } from './groupAutoStop.js';

export type NagRoute = 'channel' | 'owner' | 'owner-then-channel';
export const NAG_ROUTES: readonly NagRoute[] = ['channel', 'owner', 'owner-then-channel'];

/**
 * Who is mentioned when a nag escalates. Slack: `here`, a user group (`S…`)
 * or users (`U…`/`W…`); Teams: a tag or users (Entra object ids).
 */
export type EscalationTarget =
  | { kind: 'here' }
  | { kind: 'user-group'; id: string; name?: string }
  | { kind: 'tag'; id: string; name?: string }
  | { kind: 'user'; id: string; name?: string };

/** The per-subscription settings; every field optional so older subscriptions read as `channel`. */
export interface NagRouting {
  route?: NagRoute;
  /** From this nag number on: the channel too (owner-then-channel) and the escalation mention. */
  escalateAfter?: number;
  escalateTo?: EscalationTarget[];
  /** Every Nth repeat is also posted to the channel; 0 turns it off. */
  broadcastEvery?: number;
  /**
   * Not routing, but a per-subscription setting kept the same way: the
   * group's standing consent to stop its runs once idle (`--autostop idle:30m`).
   * Absent: off. `{ kind: 'off' }` in a change clears it.
   */
  autostop?: GroupAutoStop;
}

export const DEFAULT_ESCALATE_AFTER = 3;
export const DEFAULT_BROADCAST_EVERY = 3;
export const MAX_ESCALATE_AFTER = 100;
export const MAX_BROADCAST_EVERY = 100;

export interface NagRouteDecision {
  /** The owner's DM gets this nag. */
  owner: boolean;
  /** The channel gets this nag. */
  channel: boolean;
  /** This repeat's thread reply is also posted to the channel. */
  broadcast: boolean;
  /** Who to mention in this nag (empty: nobody). */
  mention: EscalationTarget[];
  reason: string;
}

/**
 * The decision for nag number `nagCount` (1 = the first) of a group followed
 * with `routing`, given whether the owner can be reached on this platform.
 */
export function routeNag(routing: NagRouting, nagCount: number, ownerReachable: boolean): NagRouteDecision {
  const route = routing.route ?? 'channel';
  const escalateAfter = routing.escalateAfter ?? DEFAULT_ESCALATE_AFTER;
  const escalated = nagCount >= escalateAfter;
  const every = routing.broadcastEvery ?? DEFAULT_BROADCAST_EVERY;
  const repeat = nagCount - 1;
  const broadcast = every > 0 && repeat > 0 && repeat % every === 0;
  const mention = escalated ? [...(routing.escalateTo ?? [])] : [];
  const loud = [
    broadcast ? `repeat ${repeat} is a multiple of ${every}: posted to the channel too` : '',
    mention.length ? `nag ${nagCount} ≥ ${escalateAfter}: escalation mentioned` : '',
  ].filter(Boolean);
  const why = (base: string) => [base, ...loud].join('; ');
  if (route === 'channel')
    return { owner: false, channel: true, broadcast, mention, reason: why('route channel') };
  if (!ownerReachable) {
    return {
      owner: false,
      channel: true,
      broadcast,
      mention,
      reason: why(`route ${route}, but the owner cannot be reached: the channel instead`),
    };
  }
  if (route === 'owner')
    return { owner: true, channel: false, broadcast, mention, reason: why('route owner') };
  return {
    owner: true,
    channel: escalated,
    broadcast,
    mention,
    reason: why(
      escalated
        ? `route owner-then-channel: nag ${nagCount} ≥ ${escalateAfter}, the channel too`
        : `route owner-then-channel: nag ${nagCount} < ${escalateAfter}, the owner only`,
    ),
  };
}

/** `owner-then-channel, escalate after 3 to @here, broadcast every 3rd repeat` for `subscriptions` listings. */
export function describeRouting(
  routing: NagRouting,
  describeTarget: (t: EscalationTarget) => string,
): string {
  const parts: string[] = [routing.route ?? 'channel'];
  if (routing.escalateTo?.length || routing.route === 'owner-then-channel')
    parts.push(`escalate after ${routing.escalateAfter ?? DEFAULT_ESCALATE_AFTER}`);
  if (routing.escalateTo?.length) parts.push(`mention ${routing.escalateTo.map(describeTarget).join(', ')}`);
  const every = routing.broadcastEvery ?? DEFAULT_BROADCAST_EVERY;
  parts.push(every > 0 ? `broadcast every ${every === 1 ? '' : `${ordinal(every)} `}repeat` : 'no broadcast');
  if (routing.autostop?.kind === 'idle') parts.push(`autostop ${groupAutoStopText(routing.autostop)}`);
  return parts.join(', ');
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${s}`;
}

/** Plain-text name of a target (`@here`, `S0OPS`, `tag:Ops`). */
export function plainTarget(t: EscalationTarget): string {
  if (t.kind === 'here') return '@here';
  if (t.kind === 'tag') return `tag:${t.name ?? t.id}`;
  return t.name ? `@${t.name}` : t.id;
}

/** Just the routing fields of a subscription (or anything carrying them), absent ones left out. */
export function routingOf(r: NagRouting): NagRouting {
  const out: NagRouting = {};
  if (r.route !== undefined) out.route = r.route;
  if (r.escalateAfter !== undefined) out.escalateAfter = r.escalateAfter;
  // Plain copies without undefined members: stores serialize them as they are.
  if (r.escalateTo !== undefined)
    out.escalateTo = JSON.parse(JSON.stringify(r.escalateTo)) as EscalationTarget[];
  if (r.broadcastEvery !== undefined) out.broadcastEvery = r.broadcastEvery;
  if (r.autostop !== undefined) out.autostop = { ...r.autostop };
  return out;
}

/** `change` over `stored`: given fields replace, absent ones keep, `escalateTo: []` clears. */
export function mergeRouting(stored: NagRouting, change: NagRouting): NagRouting {
  const merged = { ...routingOf(stored), ...routingOf(change) };
  if (merged.escalateTo?.length === 0) delete merged.escalateTo;
  if (merged.autostop?.kind === 'off') delete merged.autostop;
  return merged;
}
