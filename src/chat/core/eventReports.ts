/**
 * Domain events that say more than a rewritten message: a cleanup's outcome
 * (a thread reply under each nag, or a post where the instance was never
 * nagged) and a consented stop's warning (a thread reply with Cancel and
 * +1h). Each reply is claimed once, so a redelivered event is silent. Part of
 * chat delivery (`delivery.ts`).
 */
import { type CleanupHook, cleanupSummary } from '../../core/cleanup/cleanupReport.js';
import type { InstanceCleanedUpEvent, StopConsentEvent } from '../../core/events.js';
import type { ChatMessageRef, InstanceRecord } from '../../core/instance.js';
import { consentWarning, consentWarningText } from '../../core/message/consentMessage.js';
import { sameLaunch } from '../../core/message/runToken.js';
import { type DeliveryContext, DeliveryError } from './deliveryTypes.js';
import { channelsFor } from './nagTargets.js';
import { rewriteAll } from './runRewrite.js';

const isLive = (state: InstanceRecord['state']): boolean => state === 'running' || state === 'pending';

/**
 * The cleanup outcome as one line (`i-0abc (web-1) terminated · removed … · webhook ok`):
 * a thread reply under each nag message of the run; on a platform where the
 * instance was never nagged, a post to the group's channels (fallback rules
 * as for nags). Each reply and post is claimed once, so a redelivery is silent.
 */
export async function reportCleanup(
  ctx: DeliveryContext,
  event: InstanceCleanedUpEvent,
  record: InstanceRecord,
  deliveryId: string,
  now: Date,
): Promise<ChatMessageRef[]> {
  const failed = event.outcomes.some((o) => !o.ok);
  const summary = cleanupSummary(
    record,
    // The engine only publishes lines worth reporting; `hook` is only a label here.
    event.outcomes.map((o) => ({ ...o, hook: o.hook as CleanupHook, changed: true })),
  );
  const text = failed ? `⚠️ ${summary}` : summary;
  const refs = record.chatRefs.filter((r) => ctx.gateways.has(r.platform));
  const channels = (await channelsFor(ctx, record.group)).filter(
    (c) => !refs.some((r) => r.platform === c.platform),
  );
  if (refs.length === 0 && channels.length === 0) {
    ctx.deps.log.warn('cleanup report reached no chat channel', {
      instanceId: record.instanceId,
      group: record.group,
    });
    return [];
  }
  const sent: ChatMessageRef[] = [];
  const failures: { channel: string; error: unknown }[] = [];
  const once = async (key: string, channel: string, send: () => Promise<ChatMessageRef>) => {
    if (!(await ctx.deps.ledger.firstTime(key, now))) return;
    try {
      sent.push(await send());
      await ctx.deps.ledger.done(key, now);
    } catch (error) {
      await ctx.deps.ledger.failed(key).catch(() => undefined);
      ctx.deps.log.error('cleanup report failed', { channel, error: String(error) });
      failures.push({ channel, error });
    }
  };
  for (const ref of refs) {
    await once(
      `${deliveryId}#${ref.platform}:${ref.channelId}:${ref.messageId}`,
      `${ref.platform}:${ref.channelId}`,
      async () => {
        await ctx.gateways.get(ref.platform)!.replyInThread(ref, text);
        return ref;
      },
    );
  }
  for (const channel of channels) {
    const at = `${channel.platform}:${channel.channelId}`;
    await once(`${deliveryId}#${at}`, at, () => ctx.gateways.get(channel.platform)!.postText(channel, text));
  }
  if (failures.length) throw new DeliveryError(failures);
  return sent;
}

/**
 * A consented stop changed: the run's messages show it (with Cancel and
 * +1h); a warning also replies in each message's thread, once per message,
 * so the people who follow the instance hear that it stops soon.
 */
export async function reportConsent(
  ctx: DeliveryContext,
  event: StopConsentEvent,
  record: InstanceRecord,
  deliveryId: string,
  now: Date,
): Promise<ChatMessageRef[]> {
  // Messages show the run as it is now: a late event must not bring back a cancelled
  // stop, nor turn the message of a run that has since stopped back into a running one.
  const stored = await ctx.deps.instances.get(event.record);
  if (!stored || !sameLaunch(stored.launchTime, event.record.launchTime) || !isLive(stored.state)) return [];
  const current = { ...stored, chatRefs: record.chatRefs };
  const updated = await rewriteAll(ctx, current, undefined, now, undefined, true);
  const consent = event.record.stopConsent;
  const stillDue =
    consent?.kind === 'at' && current.stopConsent?.kind === 'at' && current.stopConsent.at === consent.at;
  // An idle stop is due while the warning that the idle check sent still stands.
  const idleDue =
    consent?.kind === 'idle' &&
    consent.warnedAt !== undefined &&
    current.stopConsent?.kind === 'idle' &&
    current.stopConsent.warnedAt === consent.warnedAt;
  if (event.change !== 'warned' || !(stillDue || idleDue)) return updated;
  // The reply carries Cancel (and +1h) and lets each gateway word the time for its readers.
  const warning = consentWarning(current, consent, now);
  const text = consentWarningText(warning);
  const failures: { channel: string; error: unknown }[] = [];
  for (const ref of current.chatRefs.filter((r) => ctx.gateways.has(r.platform))) {
    const key = `${deliveryId}#${ref.platform}:${ref.channelId}:${ref.messageId}`;
    if (!(await ctx.deps.ledger.firstTime(key, now))) continue;
    try {
      await ctx.gateways.get(ref.platform)!.replyInThread(ref, text, { warning });
      await ctx.deps.ledger.done(key, now);
    } catch (error) {
      await ctx.deps.ledger.failed(key).catch(() => undefined);
      failures.push({ channel: `${ref.platform}:${ref.channelId}`, error });
    }
  }
  if (failures.length) throw new DeliveryError(failures);
  return updated;
}
