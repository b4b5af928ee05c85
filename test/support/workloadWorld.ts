/**
 * A workload test world on moto: real EC2/SSM/SNS clients (EC2 calls recorded
 * by an SDK middleware, not a mock), the real Fleet and SSM adapters, a SQLite
 * (or given) run store, a virtual clock and a step scheduler the test drives.
 */
import { CreateTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { SnsWorkloadStatusPublisher } from '../../src/aws/snsWorkloadStatusPublisher.js';
import { SsmOverrideChecker } from '../../src/aws/ssmOverrideChecker.js';
import type { WorkloadSpec } from '../../src/core/workloads/spec.js';
import type { AuditLog } from '../../src/ports/auditLog.js';
import type { Fleet } from '../../src/ports/fleet.js';
import type { InstanceStore } from '../../src/ports/instanceStore.js';
import type { OverrideChecker } from '../../src/ports/overrideChecker.js';
import type { WorkloadRunStore } from '../../src/ports/workloadRunStore.js';
import type { WorkloadStepDue, WorkloadStepScheduler } from '../../src/ports/workloadStepScheduler.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { RunStopper } from '../../src/services/monitor/stop.js';
import { RunExecutor } from '../../src/services/workloads/runExecutor.js';
import { WorkloadService } from '../../src/services/workloads/workloadService.js';
import { SqliteAuditLog } from '../../src/sqlite/auditLog.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteWorkloadRunStore } from '../../src/sqlite/sqliteWorkloadRunStore.js';
import { WorkloadStatusFanout } from '../../src/wiring/workloadWiring.js';
import { MemoryNagScheduler, VirtualClock } from './fakes.js';
import { testMonitorSettings } from './monitorSettings.js';
import type { MotoServer } from './moto.js';

export interface RecordedCall {
  command: string;
  input: Record<string, unknown>;
}

/** Records every command a client sends, in order, as middleware on the real client. */
export function recordCalls<C extends { middlewareStack: EC2Client['middlewareStack'] }>(
  client: C,
): RecordedCall[] {
  const calls: RecordedCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({
        command: String(context.commandName),
        input: structuredClone(args.input) as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return calls;
}

/** Holds the next step of each run; the test fires them after moving the clock. */
export class ManualStepScheduler implements WorkloadStepScheduler {
  readonly pending = new Map<string, WorkloadStepDue>();
  readonly history: WorkloadStepDue[] = [];

  async schedule(step: WorkloadStepDue): Promise<void> {
    this.pending.set(step.runId, step);
    this.history.push(step);
  }

  async cancel(runId: string): Promise<void> {
    this.pending.delete(runId);
  }
}

export interface WorldOptions {
  runs?: WorkloadRunStore;
  overrides?: OverrideChecker;
  /** Wraps the real fleet, e.g. to hold an instance in `stopping`. */
  wrapFleet?: (fleet: Fleet) => Fleet;
  syncTimeoutSeconds?: number;
  failSafe?: boolean;
  specs: WorkloadSpec[];
  /** Instance records and audit log the tier stops write; SQLite unless given (the Lambda suites run without it). */
  state?: { instances: InstanceStore; audit: AuditLog };
}

function sqliteState(time: VirtualClock): { instances: InstanceStore; audit: AuditLog } {
  const db = openDatabase(':memory:');
  return { instances: new SqliteInstanceStore(db, { clock: time.now }), audit: new SqliteAuditLog(db) };
}

export function workloadWorld(moto: MotoServer, opts: WorldOptions) {
  const ec2 = new EC2Client(moto.clientConfig);
  const ec2Calls = recordCalls(ec2);
  const ssm = new SSMClient(moto.clientConfig);
  const ssmCalls = recordCalls(ssm as unknown as EC2Client);
  const sns = new SNSClient(moto.clientConfig);
  const realFleet = new Ec2Fleet(() => ec2);
  const fleet = opts.wrapFleet ? opts.wrapFleet(realFleet) : realFleet;
  const ssmChecker = new SsmOverrideChecker(() => ssm, { sleep: async () => {} });
  const runs = opts.runs ?? new SqliteWorkloadRunStore(openDatabase(':memory:'));
  const time = new VirtualClock(new Date('2026-11-21T04:00:00Z'));
  const status = new WorkloadStatusFanout(new SnsWorkloadStatusPublisher(() => sns));
  const scheduler = new ManualStepScheduler();
  // Tier stops go through the one stop operation, on a store and audit log the test can read.
  const { instances, audit } = opts.state ?? sqliteState(time);
  const nags = new MemoryNagScheduler();
  const monitor = new MonitorService({
    fleet,
    store: instances,
    scheduler: nags,
    notifier: { notify: async () => undefined },
    events: { publish: async () => undefined },
    clock: time.now,
    settings: testMonitorSettings({ regions: ['us-east-1'] }),
  });
  const stopper = new RunStopper({ monitor, store: instances, fleet, audit, clock: time.now });
  const executor = new RunExecutor(
    {
      fleet,
      stopper,
      overrides: opts.overrides ?? ssmChecker,
      runs,
      scheduler,
      status,
      clock: time.now,
    },
    { failSafe: opts.failSafe ?? true, syncTimeoutSeconds: opts.syncTimeoutSeconds ?? 600, pollSeconds: 15 },
  );
  let n = 0;
  const service = new WorkloadService({
    specs: { origin: 'test', load: async () => ({ specs: opts.specs, problems: [] }) },
    fleet,
    runs,
    scheduler,
    executor,
    clock: time.now,
    failSafe: opts.failSafe ?? true,
    random: () => `r${++n}`,
  });

  /** Fires scheduled steps, moving the clock to each one's due time, until none remain. */
  async function drive(maxSteps = 200): Promise<void> {
    for (let i = 0; i < maxSteps && scheduler.pending.size; i++) {
      const [step] = [...scheduler.pending.values()].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      if (!step) return;
      scheduler.pending.delete(step.runId);
      time.advanceTo(step.dueAt);
      await service.handleStep(step);
    }
  }

  /** Launches `count` instances with the given tags (optionally in a subnet). */
  async function launch(
    count: number,
    tags: Record<string, string>,
    extra: { subnetId?: string; instanceType?: string } = {},
  ) {
    const res = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: count,
        MaxCount: count,
        InstanceType: (extra.instanceType ?? 't3.micro') as 't3.micro',
        SubnetId: extra.subnetId,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    return (res.Instances ?? []).map((i) => i.InstanceId ?? '');
  }

  async function tag(ids: string[], tags: Record<string, string>) {
    await ec2.send(
      new CreateTagsCommand({
        Resources: ids,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }

  return {
    status,
    ec2,
    ec2Calls,
    ssm,
    ssmCalls,
    sns,
    fleet,
    realFleet,
    ssmChecker,
    runs,
    instances,
    audit,
    monitor,
    nags,
    time,
    scheduler,
    executor,
    service,
    drive,
    launch,
    tag,
  };
}

/** Three tiers: stop web → app → db, start db → app → web. */
export function threeTierSpec(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return {
    name: 'shop',
    region: 'us-east-1',
    workloadTag: { key: 'Environment', value: 'ENV001' },
    tierTagKey: 'Role',
    disabled: false,
    scaleInstanceDelaySeconds: 0,
    tiers: [
      {
        name: 'web',
        start: { sequence: 2, synchronous: false, delaySeconds: 0 },
        stop: { sequence: 0, synchronous: false, delaySeconds: 10 },
        scaling: { big: 'm5.large' },
      },
      {
        name: 'app',
        start: { sequence: 1, synchronous: true, delaySeconds: 20 },
        stop: { sequence: 1, synchronous: true, delaySeconds: 0 },
        scaling: {},
      },
      {
        name: 'db',
        start: { sequence: 0, synchronous: true, delaySeconds: 0 },
        stop: { sequence: 2, synchronous: true, delaySeconds: 0 },
        scaling: { big: 'r5.large' },
      },
    ],
    ...overrides,
  };
}
