/**
 * Consented stops in the single process: the stop schedules kept in SQLite
 * and fired in-process (a restart loses nothing; a stop due while the
 * process was down is carried out at start), the consent service that warns
 * and stops through the one stop operation, and the idle check every
 * IDLE_CHECK_EVERY. Two phases, because the monitor engine takes the stop
 * scheduler (its state changes cancel stops) and the consent service takes
 * the engine (RunStopper records the stop on it).
 */
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { InstanceMetricsSource } from '../ports/instanceMetrics.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import { StopConsentService } from '../services/consent/stopConsentService.js';
import type { MonitorApi } from '../services/monitor/api.js';
import { RunStopper } from '../services/monitor/stop.js';
import { SqliteAuditLog } from '../sqlite/auditLog.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteStopScheduleStore } from '../sqlite/stopScheduleStore.js';
import { SqliteSubscriptionStore } from '../sqlite/subscriptionStore.js';
import { type IdleCheckWiring, idleCheckWiring } from '../wiring/idleCheckWiring.js';
import { type RunningIdleChecks, startIdleChecks } from './idleChecks.js';
import { InProcessStopScheduler } from './inProcessStopScheduler.js';
import type { TimerFunctions } from './singleTimer.js';

/** Phase one: the stop scheduler the monitor engine is built with. */
export function localStopScheduler(
  db: SqliteDatabase,
  opts: { clock: Clock; log: Log; timers?: TimerFunctions },
): InProcessStopScheduler {
  return new InProcessStopScheduler(new SqliteStopScheduleStore(db), opts);
}

export interface LocalConsents {
  consents: StopConsentService;
  idle: IdleCheckWiring;
  /** Fires overdue stops, then arms the schedules and starts the idle check. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Phase two, once the engine exists. */
export function prepareLocalConsents(deps: {
  config: Config;
  db: SqliteDatabase;
  store: InstanceStore;
  fleet: Fleet;
  monitor: Pick<MonitorApi, 'stopRequested'>;
  stopScheduler: InProcessStopScheduler;
  metrics?: InstanceMetricsSource;
  clock: Clock;
  log: Log;
}): LocalConsents {
  const { config, db, store, fleet, clock, log } = deps;
  const audit = new SqliteAuditLog(db);
  const stopper = new RunStopper({ monitor: deps.monitor, store, fleet, audit, clock, log });
  const consents = new StopConsentService({
    store,
    scheduler: deps.stopScheduler,
    stopper,
    audit,
    clock,
    fleet,
    warningSeconds: config.monitor.stopWarningSeconds,
    log,
  });
  const idle = idleCheckWiring(config, {
    store,
    fleet,
    consents,
    subscriptions: new SqliteSubscriptionStore(db),
    metrics: deps.metrics,
    clock,
    log,
  });
  let checks: RunningIdleChecks | undefined;
  return {
    consents,
    idle,
    async start() {
      await deps.stopScheduler.start(async (firing) => void (await consents.handleFiring(firing)));
      checks = startIdleChecks(idle.check, config.idle.checkEverySeconds, log);
    },
    async stop() {
      await checks?.stop();
      await deps.stopScheduler.stop();
    },
  };
}
