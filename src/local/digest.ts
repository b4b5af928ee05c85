/**
 * The weekly digest in the single process: the service over the SQLite
 * file, the `/ec2 digest` chat extension, and a timer that asks every few
 * minutes whether a channel's Monday 09:00 has come. The store's week claim
 * keeps it to one digest per channel per week across restarts and ticks.
 */
import type { CommandExtension } from '../chat/core/commandExtension.js';
import { digestCommands } from '../chat/core/digestCommands.js';
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DigestPoster } from '../ports/digestPoster.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { RunHistory } from '../ports/runHistory.js';
import { WeeklyDigestService } from '../services/digest/weeklyDigest.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteDigestSettingsStore } from '../sqlite/digestSettingsStore.js';
import { SqliteSubscriptionStore } from '../sqlite/subscriptionStore.js';

/** Often enough that a digest goes out within minutes of 09:00, rarely enough to cost nothing. */
export const DIGEST_TICK_MS = 5 * 60_000;

export interface LocalDigest {
  service: WeeklyDigestService;
  extension: CommandExtension;
  /** Starts the timer; the first check runs one tick after start, once the process has settled. */
  start(): void;
  stop(): Promise<void>;
}

export function createLocalDigest(opts: {
  config: Config;
  log: Log;
  db: SqliteDatabase;
  clock: Clock;
  history: RunHistory;
  store: InstanceStore;
  posters: DigestPoster[];
}): LocalDigest {
  const { config, log, db, clock } = opts;
  const defaults = { cadence: config.digest.defaultCadence, timeZone: config.digest.timeZone };
  const subscriptions = new SqliteSubscriptionStore(db);
  const settings = new SqliteDigestSettingsStore(db);
  const service = new WeeklyDigestService({
    history: opts.history,
    store: opts.store,
    ownerTag: config.monitor.ownerTag,
    subscriptions,
    settings,
    posters: opts.posters,
    defaults,
    clock,
    log,
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= service
      .runDue()
      .catch((err: unknown) => log.error('digest tick failed; the next one retries', { error: String(err) }))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    service,
    extension: digestCommands({ digests: service, settings, subscriptions, defaults, clock }),
    start() {
      if (opts.posters.length === 0) return;
      timer = setInterval(tick, DIGEST_TICK_MS);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
