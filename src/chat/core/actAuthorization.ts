/**
 * The one rule for who may act on a run, used by every click and every
 * command: Stop, Hibernate, Stop at…, Stop when idle, Cancel and +1h are all
 * authorized as a stop; Snooze and Extend as themselves. A channel that
 * follows the group may act (within the group's stop allow-list); the owner
 * may act from anywhere (their DM holding the nag, or the Owner tag naming them).
 */
import type { InstanceRecord } from '../../core/instance.js';
import { ownedBy, ownerFromTags } from '../../core/owner.js';
import type { Authorizer, Decision } from './authorizer.js';
import type { CommandContext } from './commandContext.js';

/** What a kind of action is checked as: everything that leads to a stop is a stop. */
export type AuthorizedAs = 'stop' | 'snooze' | 'extend';

export const authorizedAs = (action: string): AuthorizedAs =>
  action === 'snooze' || action === 'extend' ? action : 'stop';

/**
 * May the person in `ctx` do `action` to `record` (of `group`)? The channel
 * rule first (no owner lookup when the channel follows the group), then the
 * owner's exception.
 */
export async function authorizeAct(
  authorizer: Authorizer,
  ctx: Pick<CommandContext, 'actor' | 'channel'>,
  group: string,
  action: string,
  record: InstanceRecord | undefined,
  ownerTag?: string,
): Promise<Decision> {
  const as = authorizedAs(action);
  const allowed = await authorizer.mayAct(ctx.actor, ctx.channel, group, as);
  if (allowed.ok || !record || !(await isOwnerOf(record, ctx, ownerTag))) return allowed;
  return authorizer.mayAct(ctx.actor, ctx.channel, group, as, true);
}

/**
 * Whether the person acting owns the run: the click came from the owner's
 * direct conversation holding its nag, or the Owner tag names them (their
 * chat id, or the email or UPN their platform reports).
 */
export async function isOwnerOf(
  record: InstanceRecord,
  ctx: Pick<CommandContext, 'actor' | 'channel'>,
  ownerTag?: string,
): Promise<boolean> {
  const inOwnersDm = record.chatRefs.some(
    (r) => r.direct && r.platform === ctx.channel.platform && r.channelId === ctx.channel.channelId,
  );
  if (inOwnersDm) return true;
  const { owner } = ownerFromTags(record.tags, ownerTag);
  if (!owner) return false;
  if (ownedBy(owner, { userIds: [ctx.actor.id], emails: [] })) return true;
  if (owner.kind === 'slack-user' || (owner.kind === 'teams-user' && !owner.value.includes('@')))
    return false;
  const emails = (await ctx.actor.emails?.().catch(() => [])) ?? [];
  return ownedBy(owner, { userIds: [], emails });
}
