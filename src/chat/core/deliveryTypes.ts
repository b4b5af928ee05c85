/**
 * The shapes chat delivery (`delivery.ts`) is built from and reports with:
 * its dependencies, the per-nag report, the key a nag post is found again
 * by, and the error that makes the caller retry.
 */
import type { ChatMessageRef, ChatPlatform } from '../../core/instance.js';
import type { ConsentOffers } from '../../core/message/consentMessage.js';
import type { NagNotification } from '../../core/notification.js';
import type { Log } from '../../log.js';
import type { ChatGateway } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { OwnerReach } from './ownerReach.js';
import type { RunLedger } from './runLedger.js';

/** `update`: repeat nags rewrite the first message and reply in its thread. `new-message`: post anew each time. */
export type RepeatNagMode = 'update' | 'new-message';

export interface ChatDeliveryDeps {
  gateways: ChatGateway[];
  subscriptions: SubscriptionStore;
  instances: InstanceStore;
  ledger: RunLedger;
  fallbackChannels: Partial<Record<ChatPlatform, ChannelRef>>;
  repeatMode: RepeatNagMode;
  /** How long one channel may take for one nag (post or update); default 15 s. */
  channelTimeoutSeconds?: number;
  /** Finds owners' direct conversations; without it every group nags its channels. */
  owners?: OwnerReach;
  /** Which consented stops the messages may offer ("Stop at…", "Stop when idle"); none when absent. */
  offers?: ConsentOffers;
  clock: Clock;
  log: Log;
}

/** What the parts of delivery share: its dependencies, the gateways by platform, the channel timeout. */
export interface DeliveryContext {
  deps: ChatDeliveryDeps;
  gateways: Map<ChatPlatform, ChatGateway>;
  channelTimeoutSeconds: number;
}

export interface NagDeliveryReport {
  posted: ChatMessageRef[];
  updated: ChatMessageRef[];
  skipped: string[];
  undelivered: boolean;
}

/** What Lights Out attaches to a nag post, so an unsure post can be found again: one per run and nag number. */
export function nagPostKey(
  n: Pick<NagNotification, 'region' | 'instanceId' | 'launchTime' | 'nagCount'>,
): string {
  return `${n.region}/${n.instanceId}@${Math.floor(Date.parse(n.launchTime) / 1000)}#${n.nagCount}`;
}

/** Thrown when at least one channel failed; the others are done and will not repeat on retry. */
export class DeliveryError extends Error {
  constructor(readonly failures: { channel: string; error: unknown }[]) {
    super(`chat delivery failed for ${failures.map((f) => f.channel).join(', ')}`, {
      cause: failures[0]?.error,
    });
    this.name = 'DeliveryError';
  }
}
