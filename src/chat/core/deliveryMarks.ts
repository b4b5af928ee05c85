/**
 * What chat delivery records when a nag does not get through: a channel that
 * refused for good is flagged on its subscriptions (shown in
 * `/ec2 subscriptions` and `lightsout subscriptions --broken`) and reported
 * once to the fallback channel; a run whose nag reached no channel is marked
 * undelivered, with the reason, on its record (and the mark cleared once a
 * nag gets through).
 */
import { ConflictError } from '../../core/errors.js';
import type { ChatPlatform } from '../../core/instance.js';
import { sameLaunch } from '../../core/message/runToken.js';
import type { Log } from '../../log.js';
import type { ChatGateway } from '../../ports/chat.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';
import { withChannelTimeout } from './deliveryErrors.js';
import type { RunLedger } from './runLedger.js';

export interface BrokenChannelDeps {
  subscriptions: SubscriptionStore;
  ledger: RunLedger;
  fallbackChannels: Partial<Record<ChatPlatform, ChannelRef>>;
  gateways: Map<ChatPlatform, ChatGateway>;
  channelTimeoutSeconds: number;
  log: Log;
}

/**
 * A channel refused for good: flag its subscriptions as broken and tell the
 * fallback channel, once per channel and reason.
 */
export async function reportBrokenChannel(
  deps: BrokenChannelDeps,
  channel: ChannelRef,
  reason: string,
  group: string,
  now: Date,
): Promise<void> {
  const at = `${channel.platform}:${channel.channelId}`;
  try {
    await deps.subscriptions.markBroken?.(channel, { reason, since: now.toISOString() });
  } catch (err) {
    deps.log.warn('could not flag the broken subscription', { channel: at, error: String(err) });
  }
  const fallback = deps.fallbackChannels[channel.platform];
  if (!fallback || fallback.channelId === channel.channelId) return;
  const onceKey = `broken#${at}#${reason}`;
  if (!(await deps.ledger.firstTime(onceKey, now))) return;
  const text =
    `⚠️ Lights Out cannot post to ${channel.platform === 'slack' ? `<#${channel.channelId}>` : channel.channelId} ` +
    `(${reason}); nags for group ${group} are not delivered there. ` +
    'Fix the channel or the app, or unsubscribe it.';
  try {
    await withChannelTimeout(`${fallback.platform}:${fallback.channelId}`, deps.channelTimeoutSeconds, () =>
      deps.gateways.get(fallback.platform)!.postText(fallback, text),
    );
    await deps.ledger.done(onceKey, now);
  } catch (err) {
    await deps.ledger.failed(onceKey).catch(() => undefined);
    deps.log.warn('could not report the broken channel to the fallback channel', {
      channel: at,
      error: String(err),
    });
  }
}

/** Sets (reason given) or clears `undelivered` with an optimistic write; loses gracefully to a concurrent engine write. */
export async function markUndelivered(
  deps: { instances: InstanceStore; log: Log },
  key: { region: string; instanceId: string },
  launchTime: string,
  reason: string | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const record = await deps.instances.get(key);
    if (!record || !sameLaunch(record.launchTime, launchTime)) return;
    if (!!record.undelivered === !!reason && record.undeliveredReason === reason) return;
    const { undelivered: _u, undeliveredReason: _r, ...rest } = record;
    const next = reason ? { ...rest, undelivered: true, undeliveredReason: reason } : rest;
    try {
      await deps.instances.put(next, { expectedVersion: record.version });
      return;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  deps.log.warn('could not record delivery state after 3 attempts', { ...key, undelivered: !!reason });
}
