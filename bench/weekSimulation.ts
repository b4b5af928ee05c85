/**
 * A week of the monitoring engine on a virtual clock, for the benchmark: the
 * real MonitorService over in-memory ports, fed EC2 state changes, firing nag
 * schedules when they fall due and sweeping on the Lambda rate rule. It
 * counts what costs money (scheduler invocations and EC2 API calls) and the
 * same for ec2RuntimeMonitor's design, which checks every instance hourly from launch.
 */
import { HOUR, MINUTE } from '../src/core/duration.js';
import { ConflictError } from '../src/core/errors.js';
import type { InstanceKey, InstanceRecord } from '../src/core/instance.js';
import type { Fleet, FleetInstance, FleetQuery, StateTransition } from '../src/ports/fleet.js';
import type { InstanceStore } from '../src/ports/instanceStore.js';
import type { NagSchedule, NagScheduler } from '../src/ports/nagScheduler.js';
import { MonitorService } from '../src/services/monitor/monitorService.js';
import { RecordingNotifier, RecordingPublisher, VirtualClock } from '../test/support/fakes.js';

/** One run of one instance: up from `start` to `end` (seconds from the week's start). */
export interface Run {
  instanceId: string;
  start: number;
  end: number;
  tags: Record<string, string>;
}

export interface WeekCounts {
  runs: number;
  nagsSent: number;
  nagInvocations: number;
  sweepInvocations: number;
  ec2Calls: number;
  ours: number;
  hourly: number;
}

const WEEK = 7 * 24 * HOUR;
const REGION = 'us-east-1';

/** EC2 with DescribeInstances priced in pages: 1,000 instances per listing page, 200 ids per lookup. */
class PagedFleet implements Fleet {
  readonly instances = new Map<string, FleetInstance>();
  readonly stats = { describeCalls: 0 };

  async find(_region: string, q: FleetQuery): Promise<FleetInstance[]> {
    let found: FleetInstance[];
    if (q.instanceIds) {
      this.stats.describeCalls += Math.max(1, Math.ceil(q.instanceIds.length / 200));
      found = q.instanceIds.flatMap((id) => this.instances.get(id) ?? []);
    } else {
      found = [...this.instances.values()];
    }
    found = found.filter(
      (i) => (!q.states || q.states.includes(i.state)) && (q.tagKeys ?? []).every((k) => k in i.tags),
    );
    if (!q.instanceIds) this.stats.describeCalls += Math.max(1, Math.ceil(found.length / 1000));
    return found.map((i) => ({ ...i }));
  }

  async stop(): Promise<StateTransition[]> {
    return [];
  }
  async start(): Promise<StateTransition[]> {
    return [];
  }
  async setInstanceType(): Promise<void> {}
  async stopProtected(): Promise<boolean> {
    return false;
  }
}

/** A versioned in-memory store with shallow copies: the simulation's 10,000-record sweeps stay fast. */
class SimStore implements InstanceStore {
  private readonly records = new Map<string, InstanceRecord>();
  async get(k: InstanceKey) {
    const r = this.records.get(`${k.region}/${k.instanceId}`);
    return r && { ...r };
  }
  async put(record: InstanceRecord, opts: { expectedVersion?: number } = {}) {
    const key = `${record.region}/${record.instanceId}`;
    const stored = this.records.get(key)?.version ?? 0;
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== stored) throw new ConflictError(key);
    const saved = { ...record, version: stored + 1 };
    this.records.set(key, saved);
    return { ...saved };
  }
  async delete(k: InstanceKey) {
    this.records.delete(`${k.region}/${k.instanceId}`);
  }
  async list() {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
  async addChatRef() {}
}

/** EventBridge Scheduler as the simulation needs it: one-shot schedules by name, a heap to fire them. */
class SimScheduler implements NagScheduler {
  readonly byKey = new Map<string, NagSchedule>();
  private heap: { at: number; key: string; dueAt: string }[] = [];

  async schedule(entry: NagSchedule): Promise<void> {
    const key = `${entry.region}/${entry.instanceId}`;
    this.byKey.set(key, { ...entry });
    this.push({ at: Date.parse(entry.dueAt), key, dueAt: entry.dueAt });
  }
  async cancel(k: InstanceKey): Promise<void> {
    this.byKey.delete(`${k.region}/${k.instanceId}`);
  }
  async get(k: InstanceKey): Promise<NagSchedule | undefined> {
    return this.byKey.get(`${k.region}/${k.instanceId}`);
  }
  async list(): Promise<NagSchedule[]> {
    return [...this.byKey.values()];
  }
  /** Names only, as ListSchedules returns them: what the reconciler uses. */
  async listKeys(): Promise<InstanceKey[]> {
    return [...this.byKey.values()].map((s) => ({ region: s.region, instanceId: s.instanceId }));
  }

  /** Earliest live schedule time (stale heap entries are skipped lazily). */
  peek(): number | undefined {
    while (this.heap.length) {
      const top = this.heap[0]!;
      if (this.byKey.get(top.key)?.dueAt === top.dueAt) return top.at;
      this.pop();
    }
    return undefined;
  }
  /** Fires the earliest schedule: EventBridge deletes it after completion (ActionAfterCompletion=DELETE). */
  take(): NagSchedule {
    const top = this.pop()!;
    const schedule = this.byKey.get(top.key)!;
    this.byKey.delete(top.key);
    return schedule;
  }

  private push(e: { at: number; key: string; dueAt: string }) {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  private pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** Checks the hourly design (ec2RuntimeMonitor) makes for one run: one per hour from launch until it sees the instance stopped. */
const hourlyChecks = (run: Run) => Math.ceil((Math.min(run.end, WEEK) - Math.max(run.start, 0)) / HOUR);

/**
 * `batchWindowSeconds`: state changes reach the function through SQS with this
 * batching window, so the changes of one window share one DescribeInstances.
 */
export async function simulateWeek(
  runs: Run[],
  opts: { sweepEverySeconds?: number; batchWindowSeconds?: number } = {},
): Promise<WeekCounts> {
  const t0 = Date.parse('2026-03-02T00:00:00Z');
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  const clock = new VirtualClock(new Date(t0));
  const fleet = new PagedFleet();
  const scheduler = new SimScheduler();
  const notifier = new RecordingNotifier();
  const service = new MonitorService({
    fleet,
    store: new SimStore(),
    scheduler,
    notifier,
    events: new RecordingPublisher(),
    clock: clock.now,
    settings: {
      mode: 'opt-in',
      defaultGroup: 'all',
      defaultThresholdSeconds: 12 * HOUR,
      defaultRenotifySeconds: HOUR,
      regions: [REGION],
      tombstoneTtlSeconds: 24 * HOUR,
    },
  });

  const changes = runs
    .flatMap((r) => [
      { at: Math.max(0, r.start), run: r, state: 'running' as const },
      ...(r.end < WEEK ? [{ at: r.end, run: r, state: 'stopped' as const }] : []),
    ])
    .sort((a, b) => a.at - b.at);
  // Runs already up when the week starts are known from the previous week's events.
  const sweepEvery = opts.sweepEverySeconds ?? 15 * MINUTE;
  let nextSweep = sweepEvery;
  let nagInvocations = 0;
  let sweepInvocations = 0;
  let i = 0;
  const startCalls = () => fleet.stats.describeCalls;
  let carriedCalls = 0;

  for (;;) {
    const nextChange = changes[i]?.at ?? Number.POSITIVE_INFINITY;
    const nextNag = scheduler.peek();
    const nagAt = nextNag === undefined ? Number.POSITIVE_INFINITY : (nextNag - t0) / 1000;
    const at = Math.min(nextChange, nagAt, nextSweep);
    if (at >= WEEK) break;
    clock.set(iso(at));
    if (at === nextChange) {
      const window = opts.batchWindowSeconds ?? 0;
      const batch: (typeof changes)[number][] = [];
      do batch.push(changes[i++]!);
      while (window > 0 && changes[i] && changes[i]!.at <= at + window && changes[i]!.at < WEEK);
      clock.set(iso(batch[batch.length - 1]!.at));
      for (const { run, state } of batch) {
        fleet.instances.set(run.instanceId, {
          region: REGION,
          instanceId: run.instanceId,
          state,
          launchTime: iso(run.start),
          tags: run.tags,
        });
      }
      const before = startCalls();
      await service.handleStateChanges(
        batch.map(({ run, state, at: t }) => ({
          region: REGION,
          instanceId: run.instanceId,
          state,
          time: iso(t),
        })),
      );
      // Runs already up when the week starts were described last week.
      if (batch.every((c) => c.run.start < 0)) carriedCalls += startCalls() - before;
    } else if (at === nagAt) {
      nagInvocations++;
      await service.handleNagDue(scheduler.take());
    } else {
      sweepInvocations++;
      nextSweep += sweepEvery;
      await service.reconcile();
    }
  }
  const ec2Calls = fleet.stats.describeCalls - carriedCalls;
  return {
    runs: runs.length,
    nagsSent: notifier.sent.length,
    nagInvocations,
    sweepInvocations,
    ec2Calls,
    ours: nagInvocations + sweepInvocations + ec2Calls,
    // Each hourly check is one scheduler invocation plus one DescribeInstances.
    hourly: 2 * runs.reduce((sum, r) => sum + hourlyChecks(r), 0),
  };
}

export { WEEK };
