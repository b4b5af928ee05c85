/**
 * Builds the platform-neutral chat core once per runtime. Slack and Teams
 * wiring both call this with their gateways and policies, then hand the
 * returned services to their thin listeners.
 */
import type { ChatPlatform } from '../../core/instance.js';
import type { ConsentOffers } from '../../core/message/consentMessage.js';
import type { Log } from '../../log.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { ChatGateway } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet } from '../../ports/fleet.js';
import type { IdempotencyStore } from '../../ports/idempotencyStore.js';
import type { IdleEvidenceLookup } from '../../ports/instanceMetrics.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { IdleStopCommands } from '../../services/consent/idleStopCheck.js';
import type { StopConsentService } from '../../services/consent/stopConsentService.js';
import type { MonitorApi } from '../../services/monitor/api.js';
import { RunStopper } from '../../services/monitor/stop.js';
import { ActionPipeline } from './actionPipeline.js';
import { type AccessPolicy, Authorizer } from './authorizer.js';
import type { CommandExtension } from './commandExtension.js';
import { CommandService } from './commandService.js';
import { type ConsentActionDeps, consentOffers } from './consentActions.js';
import { ChatDelivery, type RepeatNagMode } from './delivery.js';
import type { OwnerReach } from './ownerReach.js';
import { RunLedger } from './runLedger.js';

export interface ChatCoreDeps {
  monitor: MonitorApi;
  fleet: Fleet;
  audit: AuditLog;
  instances: InstanceStore;
  subscriptions: SubscriptionStore;
  idempotency: IdempotencyStore;
  gateways: ChatGateway[];
  policies?: Partial<Record<ChatPlatform, AccessPolicy>>;
  fallbackChannels?: Partial<Record<ChatPlatform, ChannelRef>>;
  repeatMode?: RepeatNagMode;
  /** How long one channel may take for one post or update (CHAT_CHANNEL_TIMEOUT). */
  channelTimeoutSeconds?: number;
  extensions?: CommandExtension[];
  /** `status` shows the run's idle evidence line; absent where CloudWatch is not read. */
  idleEvidence?: IdleEvidenceLookup;
  /** `stop … --when-idle`; absent where no idle check runs. */
  idleStops?: IdleStopCommands;
  /**
   * The consent service over this runtime's stop scheduler: "Stop at…",
   * Cancel and +1h on the nag, `stop … --at/--in/--cancel`. Absent: none of
   * them is offered (and "Stop when idle" neither, which needs it too).
   */
  consents?: Pick<StopConsentService, 'give' | 'cancel' | 'postpone'>;
  /**
   * What the nags this runtime posts may offer when it carries no consent
   * code itself (Lambda's chatNotify posts; slackEvents/teamsMessages take the
   * clicks): set it from the same configuration that wires the consent
   * service there. Default: what `consents`/`idleStops` make possible here.
   */
  offers?: ConsentOffers;
  /** Reaches instance owners' direct conversations (groups routed to owners). */
  owners?: OwnerReach;
  /** OWNER_TAG: which tag `mine` reads the owner from. */
  ownerTag?: string;
  clock: Clock;
  log: Log;
}

export interface ChatCore {
  authorizer: Authorizer;
  actions: ActionPipeline;
  delivery: ChatDelivery;
  /** Per-platform command services differ only in how usage lines spell the command. */
  commands(prefix: string): CommandService;
  ledger: RunLedger;
}

export function createChatCore(deps: ChatCoreDeps): ChatCore {
  const fallbackChannels = deps.fallbackChannels ?? {};
  // The idle check's consent service is the runtime's consent service (it needs a stop scheduler too).
  const consentService = deps.consents ?? deps.idleStops?.consents;
  const consents: ConsentActionDeps | undefined = consentService
    ? {
        consents: consentService,
        ...(deps.idleStops ? { idleWindowSeconds: deps.idleStops.defaultWindowSeconds } : {}),
      }
    : undefined;
  const ledger = new RunLedger(deps.idempotency);
  const authorizer = new Authorizer({
    subscriptions: deps.subscriptions,
    policies: deps.policies ?? {},
    fallbackChannels,
  });
  const delivery = new ChatDelivery({
    gateways: deps.gateways,
    subscriptions: deps.subscriptions,
    instances: deps.instances,
    ledger,
    fallbackChannels,
    repeatMode: deps.repeatMode ?? 'update',
    channelTimeoutSeconds: deps.channelTimeoutSeconds,
    owners: deps.owners,
    offers: deps.offers ?? consentOffers(consents),
    clock: deps.clock,
    log: deps.log,
  });
  const stopper = new RunStopper({
    monitor: deps.monitor,
    store: deps.instances,
    fleet: deps.fleet,
    audit: deps.audit,
    clock: deps.clock,
    log: deps.log,
  });
  const actions = new ActionPipeline({
    monitor: deps.monitor,
    stopper,
    audit: deps.audit,
    authorizer,
    ledger,
    messages: delivery,
    ownerTag: deps.ownerTag,
    consents,
    clock: deps.clock,
    log: deps.log,
  });
  const commands = (prefix: string) =>
    new CommandService({
      instances: deps.instances,
      subscriptions: deps.subscriptions,
      authorizer,
      actions,
      clock: deps.clock,
      extensions: deps.extensions,
      idleEvidence: deps.idleEvidence,
      idleStops: deps.idleStops,
      prefix,
      ownerTag: deps.ownerTag,
    });
  return { authorizer, actions, delivery, commands, ledger };
}
