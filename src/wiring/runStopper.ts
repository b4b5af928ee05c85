/**
 * RunStopper for runtimes that stop instances without running the monitor
 * themselves: workload steps (Lambda, the CLI) and `lightsout stop`. A stop
 * still goes through the monitor's `stopRequested` (the record turns
 * `stopping` and the run's nag schedule is cancelled), so this builds the
 * monitor over the runtime's store and schedulers; nothing here notifies.
 * The stop scheduler is there for the same reason: a run stopped by hand has
 * its consented stop's schedules deleted, not left to fire into nothing.
 */
import { dynamoDocumentClient, loadEc2Client, schedulerClient } from '../aws/clients.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { EventBridgeNagScheduler } from '../aws/eventBridgeNagScheduler.js';
import { EventBridgeStopScheduler } from '../aws/eventBridgeStopScheduler.js';
import { type Config, ConfigError } from '../config/index.js';
import { InProcessNagScheduler } from '../local/inProcessNagScheduler.js';
import { InProcessStopScheduler } from '../local/inProcessStopScheduler.js';
import type { Log } from '../log.js';
import type { AuditLog } from '../ports/auditLog.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { NagScheduler } from '../ports/nagScheduler.js';
import type { StopScheduler } from '../ports/stopScheduler.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { RunStopper } from '../services/monitor/stop.js';
import { SqliteAuditLog } from '../sqlite/auditLog.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteInstanceStore } from '../sqlite/instanceStore.js';
import { SqliteNagScheduleStore } from '../sqlite/nagScheduleStore.js';
import { SqliteStopScheduleStore } from '../sqlite/stopScheduleStore.js';

export interface StopperOptions {
  log?: Log;
  clock?: Clock;
  fleet?: Fleet;
}

function assemble(
  config: Config,
  parts: { store: InstanceStore; scheduler: NagScheduler; stopScheduler: StopScheduler; audit: AuditLog },
  opts: StopperOptions,
): RunStopper {
  const clock = opts.clock ?? systemClock;
  const fleet = opts.fleet ?? new Ec2Fleet(loadEc2Client);
  const monitor = new MonitorService({
    fleet,
    store: parts.store,
    scheduler: parts.scheduler,
    stopScheduler: parts.stopScheduler,
    // A stop never nags; a monitor built only for stops has nobody to tell.
    notifier: { notify: async () => Promise.reject(new Error('this runtime only stops instances')) },
    events: { publish: async () => undefined },
    clock,
    settings: config.monitor,
    log: opts.log,
  });
  return new RunStopper({ monitor, store: parts.store, fleet, audit: parts.audit, clock, log: opts.log });
}

/** Lambda mode (and the CLI with TABLE_NAME): the deployment's table and nag schedule group. */
export function awsRunStopper(config: Config, opts: StopperOptions = {}): RunStopper {
  if (!config.store.tableName) {
    throw new ConfigError(['TABLE_NAME is required in Lambda mode: the DynamoDB table name']);
  }
  const region = config.monitor.regions[0] ?? 'us-east-1';
  const doc = dynamoDocumentClient(region);
  return assemble(
    config,
    {
      store: new DynamoInstanceStore(doc, config.store.tableName, { clock: opts.clock }),
      // Only `cancel` is used (stopRequested): it needs the group, not the target or role.
      scheduler: new EventBridgeNagScheduler(schedulerClient(region), {
        groupName: config.scheduler.groupName,
        targetArn: config.scheduler.nagTargetArn ?? '',
        roleArn: config.scheduler.roleArn ?? '',
        clock: opts.clock,
      }),
      // Likewise only `cancel`: it lists and deletes the run's stop-/warn- schedules in the group.
      stopScheduler: new EventBridgeStopScheduler(schedulerClient(region), {
        groupName: config.scheduler.groupName,
        targetArn: config.scheduler.consentTargetArn ?? '',
        roleArn: config.scheduler.roleArn ?? '',
        clock: opts.clock,
      }),
      audit: new DynamoAuditLog(doc, config.store.tableName),
    },
    opts,
  );
}

/**
 * The single process's SQLite file. The nag scheduler here is never started:
 * `cancel` removes the run's row, and the running process's timer, when it
 * wakes, finds nothing due for it.
 */
export function localRunStopper(config: Config, db: SqliteDatabase, opts: StopperOptions = {}): RunStopper {
  return assemble(
    config,
    {
      store: new SqliteInstanceStore(db, { clock: opts.clock }),
      scheduler: new InProcessNagScheduler(new SqliteNagScheduleStore(db), {
        clock: opts.clock,
        log: opts.log,
      }),
      // Never started either: `cancel` removes the run's stop row, which the process then never fires.
      stopScheduler: new InProcessStopScheduler(new SqliteStopScheduleStore(db), {
        clock: opts.clock,
        log: opts.log,
      }),
      audit: new SqliteAuditLog(db),
    },
    opts,
  );
}
