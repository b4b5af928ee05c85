/**
 * Chat in the single process: one chat core shared by every configured
 * platform, so a nag reaches Slack and Teams channels alike and a click on
 * either acts through the same pipeline. Built in two steps because the
 * engine needs the chat notifier before it exists, and the chat core needs
 * the engine:
 *
 *   const chat = await prepareLocalChat({ config, log, db, clock });
 *   const notifier = await buildNotifier(…, [...chat.notifiers]);
 *   const service = new MonitorService({ … notifier … });
 *   const running = await chat.start({ monitor: service, fleet, bus });
 *
 * A platform is one factory in LOCAL_CHAT_PLATFORMS (Slack: ./slack.ts, Teams: ./teams.ts).
 */

import type { AccessPolicy } from '../chat/core/authorizer.js';
import { type ChatCore, type ChatCoreDeps, createChatCore } from '../chat/core/chatCore.js';
import type { CommandExtension } from '../chat/core/commandExtension.js';
import { ChatDelivery } from '../chat/core/delivery.js';
import { OwnerReach } from '../chat/core/ownerReach.js';
import { RunLedger } from '../chat/core/runLedger.js';
import type { Config } from '../config/index.js';
import type { ChatPlatform } from '../core/instance.js';
import type { Log } from '../log.js';
import type { ChatGateway } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { DigestPoster } from '../ports/digestPoster.js';
import type { Fleet } from '../ports/fleet.js';
import type { IdleEvidenceLookup } from '../ports/instanceMetrics.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { OwnerDirectory } from '../ports/ownerDirectory.js';
import type { ChannelRef, SubscriptionStore } from '../ports/subscriptionStore.js';
import type { WorkloadProgressPoster } from '../ports/workloadProgress.js';
import type { IdleStopCommands } from '../services/consent/idleStopCheck.js';
import type { MonitorApi } from '../services/monitor/api.js';
import type { NamedNotifier } from '../services/monitor/compositeNotifier.js';
import type { InProcessEventBus } from '../services/monitor/eventBus.js';
import { SqliteAuditLog } from '../sqlite/auditLog.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteIdempotencyStore } from '../sqlite/idempotencyStore.js';
import { SqliteInstanceStore } from '../sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../sqlite/subscriptionStore.js';
import { LocalHttpServer } from './httpServer.js';
import { LateWork } from './lateWork.js';
import { ShutdownDeadline } from './shutdownDeadline.js';

/**
 * Chat work run at once after the answers (the rest waits in the queue): a
 * few at a time keep EC2, SQLite and Slack busy without the work's own CPU
 * holding up the acknowledgements of a burst of clicks.
 */
const LATE_WORK_AT_ONCE = 4;

export interface PlatformRuntimeDeps {
  core: ChatCore;
  subscriptions: SubscriptionStore;
  instances: InstanceStore;
  /** Shared HTTP server; mount a path on it to receive requests on PORT. */
  http: LocalHttpServer;
  clock: Clock;
  log: Log;
  /** Work after an answer (clicks, late commands): queued, and waited for at shutdown. */
  late: LateWork;
}

export interface LocalChatPlatform {
  platform: ChatPlatform;
  gateway: ChatGateway;
  policy: AccessPolicy;
  fallbackChannel?: ChannelRef;
  /** Finds instance owners' direct conversations on this platform. */
  ownerDirectory?: OwnerDirectory;
  /** Posts and updates workload run progress messages on this platform. */
  workloadProgress?: WorkloadProgressPoster;
  /** Posts the weekly digest on this platform. */
  digestPoster?: DigestPoster;
  /** Starts receiving (Socket Mode, or a route on the shared HTTP server). */
  start(deps: PlatformRuntimeDeps): Promise<{ stop(): Promise<void> }>;
}

export type LocalPlatformFactory = (ctx: {
  config: Config;
  log: Log;
  db: SqliteDatabase;
}) => Promise<LocalChatPlatform | undefined>;

/**
 * One line per chat platform. Each platform's code (Bolt, the Agents SDK) is
 * imported only when it is configured, so start-up loads only what runs.
 */
export const LOCAL_CHAT_PLATFORMS: LocalPlatformFactory[] = [
  async (ctx) => (ctx.config.slack.enabled ? (await import('./slack.js')).slackPlatform(ctx) : undefined),
  async (ctx) => (ctx.config.teams.enabled ? (await import('./teams.js')).teamsPlatform(ctx) : undefined),
];

export interface PreparedLocalChat {
  /** Goes into the engine's CompositeNotifier; empty when no chat platform is configured. */
  notifiers: NamedNotifier[];
  /** One per platform that can show workload progress. */
  workloadPosters: WorkloadProgressPoster[];
  /** One per platform that can post the weekly digest. */
  digestPosters: DigestPoster[];
  start(deps: {
    monitor: MonitorApi;
    fleet: Fleet;
    bus: InProcessEventBus;
    extensions?: CommandExtension[];
    /** The idle evidence `status` shows. */
    idleEvidence?: IdleEvidenceLookup;
    /** `stop … --when-idle`. */
    idleStops?: IdleStopCommands;
    /** Stop at…, Cancel and +1h (the consent service over the SQLite-kept stop schedules). */
    consents?: ChatCoreDeps['consents'];
    /** What `/healthz` reports (readiness and why). */
    health?: () => Promise<{ ready: boolean }>;
  }): Promise<RunningLocalChat>;
}

export interface RunningLocalChat {
  core?: ChatCore;
  /** Port the shared HTTP server listens on, when any platform mounted a route. */
  port?: number;
  /** Shutdown's first step: the listener closes and requests still arriving get 503. */
  stopAccepting(): void;
  /**
   * Waits for answered chat work within `deadline` (default: a fresh
   * SHUTDOWN_DRAIN_DEADLINE) and adds what it left undone to `deadline.left`.
   */
  stop(deadline?: ShutdownDeadline): Promise<void>;
}

export async function prepareLocalChat(opts: {
  config: Config;
  log: Log;
  db: SqliteDatabase;
  clock: Clock;
}): Promise<PreparedLocalChat> {
  const { config, log, db, clock } = opts;
  const platforms = (await Promise.all(LOCAL_CHAT_PLATFORMS.map((f) => f({ config, log, db })))).filter(
    (p): p is LocalChatPlatform => p !== undefined,
  );
  if (platforms.length === 0) {
    return {
      notifiers: [],
      workloadPosters: [],
      digestPosters: [],
      start: async () => ({ stopAccepting: () => undefined, stop: async () => undefined }),
    };
  }
  const instances = new SqliteInstanceStore(db, { clock });
  const subscriptions = new SqliteSubscriptionStore(db);
  const idempotency = new SqliteIdempotencyStore(db);
  const gateways = platforms.map((p) => p.gateway);
  const fallbackChannels = Object.fromEntries(
    platforms.filter((p) => p.fallbackChannel).map((p) => [p.platform, p.fallbackChannel]),
  );
  const policies = Object.fromEntries(platforms.map((p) => [p.platform, p.policy]));
  const repeatMode = config.slack.repeatNags;
  const owners = new OwnerReach(
    platforms.flatMap((p) => (p.ownerDirectory ? [p.ownerDirectory] : [])),
    clock,
  );
  // Nags can fall due while the engine starts (overdue ones fire first), so delivery exists before the core.
  const delivery = new ChatDelivery({
    gateways,
    subscriptions,
    instances,
    ledger: new RunLedger(idempotency),
    fallbackChannels,
    repeatMode,
    channelTimeoutSeconds: config.delivery.channelTimeoutSeconds,
    owners,
    // The single process always runs the SQLite-kept stop scheduler and the idle check
    // (startSingleProcess hands both to start()), so nags offer Stop at… and Stop when idle.
    offers: { stopAt: true, idleWindowSeconds: config.idle.defaultWindowSeconds },
    clock,
    log,
  });
  const notifier: NamedNotifier = {
    name: platforms.map((p) => p.platform).join('+'),
    notifier: { notify: async (n) => void (await delivery.deliverNag(n)) },
    delivers: true,
  };

  return {
    notifiers: [notifier],
    workloadPosters: platforms.flatMap((p) => (p.workloadProgress ? [p.workloadProgress] : [])),
    digestPosters: platforms.flatMap((p) => (p.digestPoster ? [p.digestPoster] : [])),
    async start({ monitor, fleet, bus, extensions, idleEvidence, idleStops, consents, health }) {
      const core = createChatCore({
        monitor,
        fleet,
        audit: new SqliteAuditLog(db),
        instances,
        subscriptions,
        idempotency,
        gateways,
        policies,
        fallbackChannels,
        repeatMode,
        channelTimeoutSeconds: config.delivery.channelTimeoutSeconds,
        owners,
        ownerTag: config.monitor.ownerTag,
        extensions,
        idleEvidence,
        idleStops,
        consents,
        clock,
        log,
      });
      const unsubscribe = bus.subscribe(async (event) => {
        await core.delivery.deliverEvent(event);
      });
      const http = new LocalHttpServer(log);
      if (health) http.setHealth(health);
      const running: { stop(): Promise<void> }[] = [];
      const late = new LateWork(LATE_WORK_AT_ONCE);
      for (const p of platforms)
        running.push(await p.start({ core, subscriptions, instances, http, clock, log, late }));
      const port = http.mounted.length ? await http.listen(config.slack.port) : undefined;
      return {
        core,
        port,
        // Nothing new first: a click arriving now would extend the wait below without end.
        stopAccepting: () => http.stopAccepting(),
        async stop(deadline = new ShutdownDeadline(config.aws.chat.shutdownDrainMs)) {
          unsubscribe();
          http.stopAccepting();
          for (const [i, r] of running.entries())
            await deadline.wait(`${platforms[i]!.platform} receiver`, r.stop());
          // Answered requests still at work are finished (a click is never cut off half done),
          // in the time shutdown has left: a hung AWS call must not outlast the supervisor's grace.
          if (late.size) {
            log.info('waiting for chat work already answered', {
              requests: late.size,
              deadlineSeconds: Math.ceil(deadline.remainingMs / 1000),
            });
          }
          const { left } = await late.drain(deadline.remainingMs);
          deadline.leave(left);
          await http.close();
        },
      };
    },
  };
}
