/**
 * One nag in one channel: claimed once in the idempotency store, bounded by
 * the channel timeout, a repeat nag updating the first message in place (and
 * replying in its thread), a post whose answer was lost looked up before it is
 * posted again, and a failure classified as permanent, unsure or transient.
 * Part of chat delivery (`delivery.ts`).
 */
import { NotFoundError } from '../../core/errors.js';
import type { ChatMessageRef } from '../../core/instance.js';
import { type NagMessage, repeatNagText } from '../../core/message/nagMessage.js';
import type { NagNotification } from '../../core/notification.js';
import type { ChatGateway } from '../../ports/chat.js';
import { classifyChatFailure, withChannelTimeout } from './deliveryErrors.js';
import { type DeliveryContext, nagPostKey } from './deliveryTypes.js';
import type { NagTarget } from './nagTargets.js';

export type ChannelOutcome =
  | { kind: 'posted'; ref: ChatMessageRef }
  | { kind: 'updated'; ref: ChatMessageRef }
  | { kind: 'skipped'; claimKey: string }
  | { kind: 'broken'; reason: string }
  | { kind: 'failed'; error: unknown };

/** One channel of one nag: claimed once, bounded by the channel timeout, failures classified. */
export async function nagOneChannel(
  ctx: DeliveryContext,
  target: NagTarget,
  claimKey: string,
  nag: {
    n: NagNotification;
    key: { region: string; instanceId: string };
    refs: ChatMessageRef[];
    message: NagMessage;
    now: Date;
  },
): Promise<ChannelOutcome> {
  const channel = target.channel;
  const gateway = ctx.gateways.get(channel.platform)!;
  if (!(await ctx.deps.ledger.firstTime(claimKey, nag.now))) return { kind: 'skipped', claimKey };
  const at = `${channel.platform}:${channel.channelId}`;
  // The same post whatever delivery carries it (SNS message, outbox entry, due nag).
  const unsureKey = `${at}#${nagPostKey(nag.n)}`;
  try {
    const outcome = await withChannelTimeout(at, ctx.channelTimeoutSeconds, async () => {
      const existing = nag.refs.find(
        (r) => r.platform === channel.platform && r.channelId === channel.channelId,
      );
      const updatedInPlace =
        existing &&
        ctx.deps.repeatMode === 'update' &&
        (await updateIfStillThere(gateway, existing, nag.message));
      if (updatedInPlace) {
        await gateway.replyInThread(existing, repeatNagText(nag.message.facts), {
          broadcast: target.broadcast,
          mention: target.mention,
        });
        return { kind: 'updated' as const, ref: existing };
      }
      const message = target.mention.length ? { ...nag.message, mention: target.mention } : nag.message;
      const lookFirst = await ctx.deps.ledger.wasUnsure(unsureKey, nag.now);
      const posted = await gateway.post(channel, message, { postKey: nagPostKey(nag.n), lookFirst });
      const ref = target.direct ? { ...posted, direct: true } : posted;
      await ctx.deps.instances.addChatRef(nag.key, nag.n.launchTime, ref);
      return { kind: 'posted' as const, ref };
    });
    await ctx.deps.ledger.done(claimKey, nag.now);
    return outcome;
  } catch (error) {
    const failure = classifyChatFailure(error);
    ctx.deps.log.error('chat delivery failed', {
      channel: claimKey,
      kind: failure.kind,
      error: String(error),
    });
    if (failure.kind === 'permanent') {
      // Retrying cannot help: the claim stays done, so a redelivery does not try again.
      await ctx.deps.ledger.done(claimKey, nag.now, `permanent: ${failure.reason}`).catch(() => undefined);
      return { kind: 'broken', reason: failure.reason };
    }
    // It may have landed: whoever retries (maybe a fresh Lambda container) looks it up first.
    if (failure.kind === 'unsure')
      await ctx.deps.ledger.markUnsure(unsureKey, nag.now).catch(() => undefined);
    await ctx.deps.ledger.failed(claimKey).catch(() => undefined);
    return { kind: 'failed', error };
  }
}

/** False when the message was deleted in the meantime (gateways throw NotFoundError): post a new one instead. */
async function updateIfStillThere(
  gateway: ChatGateway,
  ref: ChatMessageRef,
  message: NagMessage,
): Promise<boolean> {
  try {
    await gateway.update(ref, message);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
