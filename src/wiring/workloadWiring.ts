/**
 * Builds the workload service for a runtime: Lambda mode (DynamoDB runs,
 * EventBridge Scheduler steps, specs from AWS_EC2_Scheduler's tables or a
 * file) or the single process (SQLite runs, in-process steps). Entry points
 * (Lambda handlers, `npm start`, the CLI) call this once and pass it down.
 */
// The chat functions build this at init; the EC2/SSM packages load only when a workload step first needs them.
import {
  dynamoDocumentClient,
  loadEc2Client,
  loadSsmClient,
  schedulerClient,
  snsClient,
} from '../aws/clients.js';
import { DynamoWorkloadRunStore } from '../aws/dynamodb/dynamoWorkloadRunStore.js';
import { DynamoWorkloadSpecSource } from '../aws/dynamodb/workloadSpecSource.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { EventBridgeWorkloadStepScheduler } from '../aws/eventBridgeWorkloadStepScheduler.js';
import { SnsWorkloadStatusPublisher } from '../aws/snsWorkloadStatusPublisher.js';
import { SsmOverrideChecker } from '../aws/ssmOverrideChecker.js';
import { type Config, ConfigError } from '../config/index.js';
import type { WorkloadRun } from '../core/workloads/run.js';
import { InProcessWorkloadStepScheduler } from '../local/inProcessWorkloadStepScheduler.js';
import type { Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { WorkloadRunStore } from '../ports/workloadRunStore.js';
import type { WorkloadSpecSource } from '../ports/workloadSpecSource.js';
import type { WorkloadStatusKind, WorkloadStatusPublisher } from '../ports/workloadStatus.js';
import type { WorkloadStepScheduler } from '../ports/workloadStepScheduler.js';
import type { RunStopper } from '../services/monitor/stop.js';
import { RunExecutor } from '../services/workloads/runExecutor.js';
import { WorkloadService } from '../services/workloads/workloadService.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { SqliteWorkloadRunStore } from '../sqlite/sqliteWorkloadRunStore.js';
import { FileWorkloadSpecSource } from './fileSpecSource.js';
import { awsRunStopper, localRunStopper } from './runStopper.js';

export type WorkloadProgressListener = (
  run: WorkloadRun,
  kind: WorkloadStatusKind,
  tierIndex?: number,
) => Promise<void>;

/** SNS plus any in-process listeners (e.g. the chat progress message). */
export class WorkloadStatusFanout implements WorkloadStatusPublisher {
  private readonly listeners: WorkloadProgressListener[] = [];

  constructor(
    private readonly sns: WorkloadStatusPublisher,
    private readonly log?: Log,
  ) {}

  subscribe(listener: WorkloadProgressListener): void {
    this.listeners.push(listener);
  }

  async publish(run: WorkloadRun, kind: WorkloadStatusKind, tierIndex?: number): Promise<void> {
    for (const fn of [
      (r: WorkloadRun, k: WorkloadStatusKind, t?: number) => this.sns.publish(r, k, t),
      ...this.listeners,
    ]) {
      try {
        await fn(run, kind, tierIndex);
      } catch (err) {
        this.log?.warn('workload status listener failed', { runId: run.runId, error: String(err) });
      }
    }
  }
}

export interface WorkloadRuntime {
  service: WorkloadService;
  status: WorkloadStatusFanout;
  scheduler: WorkloadStepScheduler;
  runs: WorkloadRunStore;
  specs: WorkloadSpecSource;
}

const home = (config: Config) => config.monitor.regions[0] ?? 'us-east-1';

export function specSourceFor(config: Config): WorkloadSpecSource {
  const w = config.workloads;
  if (w.specSource === 'dynamodb') {
    return new DynamoWorkloadSpecSource(dynamoDocumentClient(w.specTableRegion ?? home(config)), {
      workloadTable: w.workloadTable,
      tierTable: w.tierTable,
    });
  }
  return new FileWorkloadSpecSource(w.specFile);
}

interface RuntimeParts {
  config: Config;
  log?: Log;
  clock?: Clock;
  fleet: Fleet;
  runs: WorkloadRunStore;
  scheduler: WorkloadStepScheduler;
  /** Tier stops go through it (claimed, recorded against the instances' runs, audited). */
  stopper: Pick<RunStopper, 'stopMany'>;
}

/** What a caller that already runs the monitor passes in: its fleet and its RunStopper. */
export interface WorkloadRuntimeOptions {
  log?: Log;
  clock?: Clock;
  fleet?: Fleet;
  stopper?: Pick<RunStopper, 'stopMany'>;
}

function assemble(parts: RuntimeParts): WorkloadRuntime {
  const { config } = parts;
  const w = config.workloads;
  const clock = parts.clock ?? systemClock;
  const { fleet } = parts;
  const status = new WorkloadStatusFanout(
    new SnsWorkloadStatusPublisher(snsClient, w.statusTopicArn),
    parts.log,
  );
  const executor = new RunExecutor(
    {
      fleet,
      stopper: parts.stopper,
      overrides: new SsmOverrideChecker(loadSsmClient, { timeoutMs: w.ssmTimeoutSeconds * 1000 }),
      runs: parts.runs,
      scheduler: parts.scheduler,
      status,
      clock,
      log: parts.log,
    },
    { failSafe: w.overrideFailSafe, syncTimeoutSeconds: w.syncTimeoutSeconds, pollSeconds: w.pollSeconds },
  );
  const specs = specSourceFor(config);
  const service = new WorkloadService({
    specs,
    fleet,
    runs: parts.runs,
    scheduler: parts.scheduler,
    executor,
    clock,
    failSafe: w.overrideFailSafe,
  });
  return { service, status, scheduler: parts.scheduler, runs: parts.runs, specs };
}

/** Lambda mode: every setting it needs is checked, naming the missing variable. */
export function awsWorkloadRuntime(config: Config, opts: WorkloadRuntimeOptions = {}): WorkloadRuntime {
  const problems: string[] = [];
  if (!config.store.tableName)
    problems.push('TABLE_NAME is required in Lambda mode: the DynamoDB table name');
  if (!config.workloads.stepFunctionArn) {
    problems.push(
      'WORKLOAD_STEP_FUNCTION_ARN is required in Lambda mode: the ARN of the workloadStep function',
    );
  }
  if (!config.scheduler.roleArn) {
    problems.push('SCHEDULER_ROLE_ARN is required in Lambda mode: the role EventBridge Scheduler assumes');
  }
  if (problems.length) throw new ConfigError(problems);
  const region = home(config);
  const fleet = opts.fleet ?? new Ec2Fleet(loadEc2Client);
  return assemble({
    ...opts,
    config,
    fleet,
    stopper: opts.stopper ?? awsRunStopper(config, { ...opts, fleet }),
    runs: new DynamoWorkloadRunStore(
      dynamoDocumentClient(region),
      config.store.tableName!,
      config.workloads.runRetentionDays,
    ),
    scheduler: new EventBridgeWorkloadStepScheduler(schedulerClient(region), {
      groupName: config.scheduler.groupName,
      targetArn: config.workloads.stepFunctionArn!,
      roleArn: config.scheduler.roleArn!,
      clock: opts.clock,
    }),
  });
}

/** Single process (and the CLI without TABLE_NAME): SQLite runs, in-process steps. */
export function localWorkloadRuntime(
  config: Config,
  db: SqliteDatabase,
  opts: WorkloadRuntimeOptions = {},
): WorkloadRuntime & { scheduler: InProcessWorkloadStepScheduler } {
  const scheduler = new InProcessWorkloadStepScheduler({ clock: opts.clock, log: opts.log });
  const fleet = opts.fleet ?? new Ec2Fleet(loadEc2Client);
  const runtime = assemble({
    ...opts,
    config,
    fleet,
    stopper: opts.stopper ?? localRunStopper(config, db, { ...opts, fleet }),
    runs: new SqliteWorkloadRunStore(db),
    scheduler,
  });
  return { ...runtime, scheduler };
}
