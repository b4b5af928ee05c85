/**
 * The cleanup hooks in the single process: subscribes the decommission
 * service to the in-process event bus, so an `instance.terminated` event runs
 * the Route53, Cloud Map and webhook hooks, and the `instance.cleaned-up`
 * report goes back over the bus to the chat layer.
 *
 * Cleanups run in the background: the engine's publish returns at once rather
 * than waiting through hook retries and backoff. `stop()` waits for the ones
 * in flight, so shutting down never cuts a cleanup (or its record) in half.
 */

import type { Config } from '../config/index.js';
import type { Sleep } from '../core/retry.js';
import type { Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { DomainEventPublisher } from '../ports/notifier.js';
import type { DecommissionService } from '../services/cleanup/decommission.js';
import type { InProcessEventBus } from '../services/monitor/eventBus.js';
import { SqliteAuditLog } from '../sqlite/auditLog.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteCleanupOutcomeStore } from '../sqlite/sqliteCleanupOutcomeStore.js';
import { buildDecommissionService } from '../wiring/cleanupWiring.js';

export interface LocalCleanup {
  /** Undefined when CLEANUP_ENABLED=false. */
  service?: DecommissionService;
  /** Resolves when every cleanup started so far has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCleanup(opts: {
  config: Config;
  log: Log;
  bus: InProcessEventBus;
  /** Where cleanup reports go (the outbox); the bus itself when not given. */
  events?: DomainEventPublisher;
  db: SqliteDatabase;
  clock?: Clock;
  sleep?: Sleep;
}): Promise<LocalCleanup> {
  const { config, log, bus } = opts;
  if (!config.cleanup.enabled) {
    log.info('cleanup hooks disabled (CLEANUP_ENABLED=false)');
    return { idle: async () => {}, stop: async () => {} };
  }
  const service = await buildDecommissionService({
    config: config.cleanup,
    outcomes: new SqliteCleanupOutcomeStore(opts.db),
    audit: new SqliteAuditLog(opts.db),
    events: opts.events ?? bus,
    log,
    clock: opts.clock ?? systemClock,
    sleep: opts.sleep,
    homeRegion: config.monitor.regions[0] ?? 'us-east-1',
  });
  const inFlight = new Set<Promise<void>>();
  const unsubscribe = bus.subscribe(async (event) => {
    if (event.type !== 'instance.terminated') return;
    const run = service
      .onTerminated(event)
      .then(() => undefined)
      .catch((err: unknown) =>
        log.error('cleanup after termination failed', {
          instanceId: event.record.instanceId,
          error: err instanceof Error ? err.message : String(err),
        }),
      )
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  });
  log.info('cleanup hooks on', {
    hostedZones: config.cleanup.hostedZoneIds,
    cloudMapServices: config.cleanup.cloudMapServices.map((s) => `${s.serviceId}@${s.region}`),
    webhooks: config.cleanup.webhookUrls.length,
    dryRun: config.cleanup.dryRun,
  });
  const idle = async () => {
    while (inFlight.size) await Promise.all([...inFlight]);
  };
  return {
    service,
    idle,
    async stop() {
      unsubscribe();
      await idle();
    },
  };
}
