/**
 * The outbox in the single process: events are committed with the record
 * (SqliteInstanceStore.put) and delivered to the in-process event bus by
 * OutboxDeliverer: right after each engine write, and by a polling loop that
 * retries failed deliveries after their backoff and picks up whatever a crash
 * left undelivered (the first pass runs at start).
 */
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DomainEventPublisher } from '../ports/notifier.js';
import type { InProcessEventBus } from '../services/monitor/eventBus.js';
import { type DrainReport, OutboxDeliverer } from '../services/outbox/outboxDeliverer.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteOutbox } from '../sqlite/outbox.js';

export interface LocalOutbox {
  outbox: SqliteOutbox;
  deliverer: OutboxDeliverer;
  /** For the engine: its events are already in the outbox; publishing delivers what is due. */
  afterWrite: DomainEventPublisher;
  /** For producers without a record write (cleanup reports): adds the event, then delivers. */
  append: DomainEventPublisher;
  /** Starts the polling loop; the first pass runs now. */
  start(): Promise<DrainReport>;
  stop(): Promise<void>;
}

export function createLocalOutbox(opts: {
  config: Config;
  log: Log;
  db: SqliteDatabase;
  clock: Clock;
  bus: InProcessEventBus;
}): LocalOutbox {
  const { config, log, db, clock, bus } = opts;
  const outbox = new SqliteOutbox(db, { clock });
  const deliverer = new OutboxDeliverer({
    outbox,
    sink: (event) => bus.deliver(event),
    clock,
    policy: config.delivery.outboxRetry,
    log,
  });
  let loop: NodeJS.Timeout | undefined;
  let stopped = false;
  const drain = () => (stopped ? Promise.resolve(undefined) : deliverer.drain());
  const drainLogged = () =>
    drain().catch((err: unknown) =>
      log.error('outbox pass failed; next pass retries', { error: String(err) }),
    );
  return {
    outbox,
    deliverer,
    afterWrite: { publish: async () => void (await drain()) },
    append: {
      publish: async (event) => {
        await outbox.add([event]);
        await drainLogged();
      },
    },
    async start() {
      const first = await deliverer.drain();
      if (first.delivered || first.retried || first.failed)
        log.info('outbox delivered what was pending at start', { ...first });
      loop = setInterval(() => void drainLogged(), config.delivery.outboxPollSeconds * 1000);
      return first;
    },
    async stop() {
      stopped = true;
      if (loop) clearInterval(loop);
      await deliverer.idle();
    },
  };
}
