/**
 * Rewriting every message of a run to show its current state (stopped,
 * snoozed, terminated…), each message concurrently and within the channel
 * timeout. Part of chat delivery (`delivery.ts`).
 */
import { type ChatMessageRef, type InstanceRecord, runtimeSeconds } from '../../core/instance.js';
import { offerConsents } from '../../core/message/consentMessage.js';
import { type NagOutcome, nagMessageFromRecord } from '../../core/message/nagMessage.js';
import type { ChatGateway } from '../../ports/chat.js';
import { classifyChatFailure, withChannelTimeout } from './deliveryErrors.js';
import { type DeliveryContext, DeliveryError } from './deliveryTypes.js';

export async function rewriteAll(
  ctx: DeliveryContext,
  record: InstanceRecord,
  outcome: NagOutcome | undefined,
  now: Date,
  pinned: number | undefined,
  strict: boolean,
): Promise<ChatMessageRef[]> {
  const message = offerConsents(
    nagMessageFromRecord(
      record,
      now,
      outcome,
      pinned ??
        (record.state === 'running' ? undefined : runtimeSeconds(record, new Date(record.stateChangedAt))),
    ),
    ctx.deps.offers,
  );
  return eachRef(ctx, record.chatRefs, (g, ref) => g.update(ref, message), strict);
}

/**
 * Runs `fn` on every message of the run, concurrently, each within the
 * channel timeout. A message whose channel refuses for good (deleted,
 * archived, app removed) is skipped: retrying the event could never fix it.
 */
export async function eachRef(
  ctx: DeliveryContext,
  refs: ChatMessageRef[],
  fn: (g: ChatGateway, ref: ChatMessageRef) => Promise<void>,
  strict: boolean,
): Promise<ChatMessageRef[]> {
  const reachable = refs.filter((ref) => ctx.gateways.has(ref.platform));
  const results = await Promise.allSettled(
    reachable.map((ref) =>
      withChannelTimeout(`${ref.platform}:${ref.channelId}`, ctx.channelTimeoutSeconds, () =>
        fn(ctx.gateways.get(ref.platform)!, ref),
      ),
    ),
  );
  const done: ChatMessageRef[] = [];
  const failures: { channel: string; error: unknown }[] = [];
  results.forEach((result, i) => {
    const ref = reachable[i]!;
    if (result.status === 'fulfilled') {
      done.push(ref);
      return;
    }
    const failure = classifyChatFailure(result.reason);
    ctx.deps.log.error('chat message update failed', {
      channel: `${ref.platform}:${ref.channelId}`,
      kind: failure.kind,
      error: String(result.reason),
    });
    if (failure.kind !== 'permanent') {
      failures.push({ channel: `${ref.platform}:${ref.channelId}`, error: result.reason });
    }
  });
  if (strict && failures.length) throw new DeliveryError(failures);
  return done;
}
