/**
 * The single process (`npm start`): SQLite store, in-process nag scheduler
 * with persisted due times, a reconcile sweep every RECONCILE_EVERY (which
 * also observes state changes, replacing EventBridge), and notifiers. Built as
 * a function so tests can start, stop and restart it.
 */
import { configureAwsClients, loadCloudWatchClient, loadEc2Client } from '../aws/clients.js';
import { CloudWatchMetrics } from '../aws/cloudWatchMetrics.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import type { Config } from '../config/index.js';
import { assessHealth, type HealthReport, type SweepStatus } from '../core/health.js';
import type { Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { InstanceMetricsSource } from '../ports/instanceMetrics.js';
import type { NamedNotifier } from '../services/monitor/compositeNotifier.js';
import { InProcessEventBus } from '../services/monitor/eventBus.js';
import { IdleEvidenceReader } from '../services/monitor/idleEvidence.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { runHistoryRecorder } from '../services/monitor/runHistoryRecorder.js';
import { RunStopper } from '../services/monitor/stop.js';
import { SqliteAuditLog } from '../sqlite/auditLog.js';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { databaseFileProblem, fileIdentity } from '../sqlite/databaseFile.js';
import { SqliteInstanceStore } from '../sqlite/instanceStore.js';
import { SqliteNagScheduleStore } from '../sqlite/nagScheduleStore.js';
import { SqlitePriceCache } from '../sqlite/priceCache.js';
import { SqliteRunHistory } from '../sqlite/runHistory.js';
import { buildNotifier } from '../wiring/notifiers.js';
import { awsPricer } from '../wiring/pricing.js';
import { prepareLocalChat, type RunningLocalChat } from './chat.js';
import { startCleanup } from './cleanup.js';
import { type LocalConsents, localStopScheduler, prepareLocalConsents } from './consents.js';
import { createLocalDigest, type LocalDigest } from './digest.js';
import { InProcessNagScheduler, type TimerFunctions } from './inProcessNagScheduler.js';
import type { InProcessStopScheduler } from './inProcessStopScheduler.js';
import { createLocalOutbox, type LocalOutbox } from './outbox.js';
import { ShutdownDeadline } from './shutdownDeadline.js';
import { startLocalWorkloads } from './workloads.js';

export interface SingleProcessOptions {
  config: Config;
  log: Log;
  clock?: Clock;
  /** Test seams: a fleet other than EC2, metrics other than CloudWatch, extra notifiers, virtual timers. */
  fleet?: Fleet;
  metrics?: InstanceMetricsSource;
  notifiers?: NamedNotifier[];
  timers?: TimerFunctions;
  /** How the process ends when its database file is lost (test seam; default process.exit). */
  exit?: (code: number) => void;
}

/** How often the database file's identity is checked besides every sweep. */
const FILE_CHECK_MS = 60_000;

export interface SingleProcess {
  service: MonitorService;
  bus: InProcessEventBus;
  /** Ended runs, for the weekly digest and `lightsout report`. */
  history: SqliteRunHistory;
  /** The weekly digest: its service and timer. */
  digest: LocalDigest;
  /** Domain events not yet delivered (written with the records they come from). */
  outbox: LocalOutbox;
  db: SqliteDatabase;
  scheduler: InProcessNagScheduler;
  /** Consented stops: the consent service and the idle check (run one with `consents.idle.check.check()`). */
  consents: LocalConsents;
  /** The consented stops' scheduler (SQLite-kept), for status output and tests. */
  stopScheduler: InProcessStopScheduler;
  /** Chat platforms (Slack, Teams): the shared core and the HTTP port, when configured. */
  chat: RunningLocalChat;
  /** Readiness as `/healthz` reports it. */
  health(): Promise<HealthReport>;
  /** Runs one sweep now (also what the loop runs). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSingleProcess(opts: SingleProcessOptions): Promise<SingleProcess> {
  const { config, log } = opts;
  const clock = opts.clock ?? systemClock;
  configureAwsClients(config.aws.clients);
  const db = openDatabase(config.store.sqlitePath);
  const checkDatabaseFile = databaseFileWatch(
    config.store.sqlitePath,
    log,
    opts.exit ?? ((code) => process.exit(code)),
  );
  const store = new SqliteInstanceStore(db, { clock });
  const scheduler = new InProcessNagScheduler(new SqliteNagScheduleStore(db), {
    clock,
    log,
    timers: opts.timers,
  });
  const bus = new InProcessEventBus(log);
  const history = new SqliteRunHistory(db, { retentionDays: config.digest.historyRetentionDays });
  // Ended runs reach the history through the outbox, so a crash cannot lose one.
  bus.subscribe(runHistoryRecorder(history, { ownerTag: config.monitor.ownerTag }));
  const outbox = createLocalOutbox({ config, log, db, clock, bus });
  const chat = await prepareLocalChat({ config, log, db, clock });
  const notifier = await buildNotifier({ config, log, bus }, [...(opts.notifiers ?? []), ...chat.notifiers]);
  const cleanup = await startCleanup({ config, log, bus, events: outbox.append, db, clock });
  const fleet = opts.fleet ?? new Ec2Fleet(loadEc2Client);
  // The sweep reads the idle evidence of runs about to be nagged; nags take it from memory.
  const idleEvidence = new IdleEvidenceReader(opts.metrics ?? new CloudWatchMetrics(loadCloudWatchClient), {
    windowSeconds: config.idle.evidenceWindowSeconds,
    clock,
    log,
  });
  // Consented stops: the engine cancels them when a run stops or is replaced.
  const stopScheduler = localStopScheduler(db, { clock, log, timers: opts.timers });
  const service = new MonitorService({
    fleet,
    store,
    scheduler,
    stopScheduler,
    notifier,
    events: outbox.afterWrite,
    clock,
    settings: config.monitor,
    log,
    // No EC2 events here: the sweep is how a termination while stopped is noticed.
    sweepObservesStopped: true,
    idleEvidence,
    pricer: awsPricer(new SqlitePriceCache(db), log, { lookups: config.monitor.priceLookups, clock }),
  });
  const consents = prepareLocalConsents({
    config,
    db,
    store,
    fleet,
    monitor: service,
    stopScheduler,
    metrics: opts.metrics,
    clock,
    log,
  });

  const workloads = await startLocalWorkloads({
    config,
    log,
    db,
    clock,
    fleet,
    stopper: new RunStopper({ monitor: service, store, fleet, audit: new SqliteAuditLog(db), clock, log }),
    posters: chat.workloadPosters,
  });
  // What /healthz reports: the last sweep (is AWS reachable?) and the outbox backlog (is chat?).
  let lastSweep: SweepStatus | undefined;
  let lastGoodSweepAt: string | undefined;
  const health = async (): Promise<HealthReport> =>
    assessHealth(
      {
        lastSweep,
        lastGoodSweepAt,
        outbox: await outbox.outbox.stats(),
        maxSweepAgeSeconds:
          config.delivery.healthMaxSweepAgeSeconds ?? 3 * config.monitor.reconcileEverySeconds,
        maxBacklogAgeSeconds: config.delivery.healthMaxBacklogAgeSeconds,
      },
      clock(),
    );
  const digest = createLocalDigest({
    config,
    log,
    db,
    clock,
    history,
    store,
    posters: chat.digestPosters,
  });
  const chatRuntime = await chat.start({
    monitor: service,
    fleet,
    bus,
    extensions: [workloads.extension, digest.extension],
    idleEvidence,
    idleStops: consents.idle.commands,
    consents: consents.consents,
    health,
  });

  let running: Promise<void> | undefined;
  const sweep = (): Promise<void> => {
    if (!checkDatabaseFile()) return Promise.resolve();
    // Sweeps never overlap: a slow sweep makes the next tick wait, not pile up.
    running ??= service
      .reconcile()
      .then(() => {
        lastGoodSweepAt = clock().toISOString();
        lastSweep = { at: lastGoodSweepAt, ok: true };
      })
      .catch((err: unknown) => {
        lastSweep = {
          at: clock().toISOString(),
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        };
        // A failed write may mean the file went away; that is fatal, not retried.
        if (!checkDatabaseFile()) return;
        log.error('reconcile sweep failed; next sweep will retry', { error: String(err) });
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  log.info('single process starting', {
    db: config.store.sqlitePath,
    regions: config.monitor.regions,
    mode: config.monitor.mode,
    reconcileEverySeconds: config.monitor.reconcileEverySeconds,
    notifiers: notifier.notifiers.map((n) => n.name),
  });
  // Events a crash left undelivered go out first, now that chat and cleanup listen.
  await outbox.start();
  // Overdue nags (due while the process was down) fire here, before the first sweep.
  await scheduler.start((due) => service.handleNagDue(due));
  await consents.start();
  await sweep();
  digest.start();
  const loop = setInterval(() => void sweep(), config.monitor.reconcileEverySeconds * 1000);
  const fileCheck = setInterval(checkDatabaseFile, FILE_CHECK_MS);

  return {
    service,
    bus,
    history,
    digest,
    outbox,
    db,
    scheduler,
    consents,
    stopScheduler,
    sweep,
    health,
    chat: chatRuntime,
    async stop() {
      // One deadline from the signal on, and no new requests before any wait: a request now
      // would only join the work shutdown waits for.
      const deadline = new ShutdownDeadline(config.aws.chat.shutdownDrainMs);
      chatRuntime.stopAccepting();
      clearInterval(loop);
      clearInterval(fileCheck);
      // Each is stopped even when the deadline has passed (that clears its timers); each wait gets the time left.
      await deadline.wait('reconcile sweep', running);
      await deadline.wait('weekly digest', digest.stop());
      await deadline.wait('outbox delivery', outbox.stop());
      await chatRuntime.stop(deadline);
      await deadline.wait('workload runs', workloads.stop());
      await deadline.wait('cleanup hooks', cleanup.stop());
      await deadline.wait('nag scheduler', scheduler.stop());
      await deadline.wait('consented stops', consents.stop());
      if (deadline.left.length) {
        log.warn('shutdown deadline passed; work left undone', {
          deadlineSeconds: deadline.ms / 1000,
          left: deadline.left,
        });
        // Closing the store under work still running would crash it mid-write; the process exits
        // with it abandoned instead (the outbox and the schedules are durable, and redone at start).
        log.info('single process stopped; database left open for the work still running');
        return;
      }
      db.close();
      log.info('single process stopped');
    },
  };
}

/**
 * A check that the database file is still the one opened: when it was deleted
 * or replaced, it logs one error and ends the process non-zero, so a
 * supervisor restarts it on a file that exists, instead of the process
 * writing on into a nameless file whose contents vanish at the next restart.
 * Returns false once the file is lost.
 */
function databaseFileWatch(path: string, log: Log, exit: (code: number) => void): () => boolean {
  if (path === ':memory:') return () => true;
  const opened = fileIdentity(path);
  let lost = false;
  return () => {
    if (lost) return false;
    const problem = databaseFileProblem(path, opened);
    if (!problem) return true;
    lost = true;
    log.error(
      `The SQLite database file ${path} (DB_PATH) ${problem} while Lights Out was running. ` +
        'Stopping with exit code 1 so a supervisor restarts it: what was stored since start-up ' +
        '(subscriptions, schedules, runs) is only in the lost file. Restore it from a backup before the restart if you have one.',
      { path, setting: 'DB_PATH', problem },
    );
    exit(1);
    return false;
  };
}
