/**
 * Hand-written in-memory fakes of the engine's ports, for service tests that
 * need no AWS. They keep the ports' documented semantics (versioned writes,
 * upserting schedules, "throwing means not delivered") and count calls the
 * way the real adapters do, so service tests can check behaviour, not mocks.
 */

import { ConflictError, NotFoundError, StaleRunError, StopProtectedError } from '../../src/core/errors.js';
import type { DomainEvent } from '../../src/core/events.js';
import type { ChatMessageRef, InstanceKey, InstanceRecord, InstanceState } from '../../src/core/instance.js';
import type { NagNotification } from '../../src/core/notification.js';
import { type Clock, systemClock } from '../../src/ports/clock.js';
import type {
  Fleet,
  FleetInstance,
  FleetQuery,
  StateTransition,
  StopOptions,
} from '../../src/ports/fleet.js';
import type { InstanceFilter, InstanceStore, PutOptions } from '../../src/ports/instanceStore.js';
import type { NagSchedule, NagScheduler } from '../../src/ports/nagScheduler.js';
import type { DomainEventPublisher, Notifier } from '../../src/ports/notifier.js';
import type {
  LeftSchedule,
  StopFiring,
  StopFiringHandler,
  StopSchedule,
  StopScheduler,
} from '../../src/ports/stopScheduler.js';

const keyOf = (k: InstanceKey) => `${k.region}/${k.instanceId}`;
const clone = <T>(v: T): T => structuredClone(v);

/** EC2 as a map of instances; `find` applies the same filters DescribeInstances would. */
export class FakeFleet implements Fleet {
  readonly instances = new Map<string, FleetInstance>();
  /** Same shape as Ec2Fleet's counters, so reconcile reports count calls either way. */
  readonly stats = { describeCalls: 0, stopCalls: 0, attributeCalls: 0 };
  /** Instances with DisableApiStop, as `region/id`: StopInstances naming one fails as a whole, as in EC2. */
  readonly stopProtectedKeys = new Set<string>();
  /** Ids stopped with `hibernate`, in order. */
  readonly hibernated: string[] = [];
  private seq = 0;

  add(over: Partial<FleetInstance> & { tags?: Record<string, string> } = {}): FleetInstance {
    this.seq += 1;
    const instance: FleetInstance = {
      region: 'eu-west-1',
      instanceId: `i-${String(this.seq).padStart(8, '0')}`,
      state: 'running',
      launchTime: '2026-03-02T08:00:00.000Z',
      instanceType: 't3.micro',
      availabilityZone: 'eu-west-1a',
      privateIp: `10.0.0.${this.seq}`,
      accountId: '123456789012',
      tags: {},
      ...over,
    };
    this.instances.set(keyOf(instance), instance);
    return instance;
  }

  set(key: InstanceKey, patch: Partial<FleetInstance>): void {
    const current = this.instances.get(keyOf(key));
    if (!current) throw new Error(`no such fake instance ${keyOf(key)}`);
    this.instances.set(keyOf(key), { ...current, ...patch });
  }

  remove(key: InstanceKey): void {
    this.instances.delete(keyOf(key));
  }

  async find(region: string, query: FleetQuery): Promise<FleetInstance[]> {
    this.stats.describeCalls += 1;
    return [...this.instances.values()]
      .filter((i) => i.region === region)
      .filter((i) => !query.states || query.states.includes(i.state))
      .filter((i) => !query.instanceIds || query.instanceIds.includes(i.instanceId))
      .filter((i) => (query.tagKeys ?? []).every((k) => k in i.tags))
      .filter((i) =>
        Object.entries(query.tags ?? {}).every(
          ([k, vs]) => i.tags[k] !== undefined && vs.includes(i.tags[k]),
        ),
      )
      .map(clone);
  }

  async stop(region: string, ids: string[], opts: StopOptions = {}): Promise<StateTransition[]> {
    this.stats.stopCalls += 1;
    const guarded = ids.find((instanceId) => this.stopProtectedKeys.has(keyOf({ region, instanceId })));
    if (guarded) {
      throw new StopProtectedError(`${guarded} has stop protection (DisableApiStop)`, guarded);
    }
    if (opts.hibernate) this.hibernated.push(...ids);
    return this.transition(region, ids, 'stopping');
  }

  async stopProtected(region: string, instanceId: string): Promise<boolean> {
    this.stats.attributeCalls += 1;
    if (!this.instances.has(keyOf({ region, instanceId }))) {
      throw new NotFoundError(`no such instance ${instanceId}`);
    }
    return this.stopProtectedKeys.has(keyOf({ region, instanceId }));
  }

  async start(region: string, ids: string[]): Promise<StateTransition[]> {
    return this.transition(region, ids, 'pending');
  }

  async setInstanceType(region: string, instanceId: string, instanceType: string): Promise<void> {
    this.set({ region, instanceId }, { instanceType });
  }

  private transition(region: string, ids: string[], to: InstanceState): StateTransition[] {
    return ids.map((instanceId) => {
      const previousState = this.instances.get(keyOf({ region, instanceId }))?.state;
      this.set({ region, instanceId }, { state: to });
      return { instanceId, previousState, currentState: to };
    });
  }
}

/**
 * Versioned, like the DynamoDB and SQLite stores; the instance store contract
 * suite (test/ports/instanceStore.contract.test.ts) runs against it too.
 */
export class MemoryInstanceStore implements InstanceStore {
  readonly records = new Map<string, InstanceRecord>();
  /** Makes the next N puts fail with ConflictError, as a racing writer would. */
  conflictsToInject = 0;
  /** Events written with records (the outbox of the real stores), in order. */
  readonly outbox: DomainEvent[] = [];
  private readonly clock: Clock;

  constructor(opts: { clock?: Clock } = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  async get(key: InstanceKey): Promise<InstanceRecord | undefined> {
    const r = this.live(key);
    return r ? clone(r) : undefined;
  }

  async put(record: InstanceRecord, opts: PutOptions = {}): Promise<InstanceRecord> {
    const stored = this.live(record);
    const storedVersion = stored?.version ?? 0;
    if (this.conflictsToInject > 0) {
      this.conflictsToInject -= 1;
      // A concurrent writer got there first: the stored version moves on.
      if (stored) this.records.set(keyOf(record), { ...stored, version: storedVersion + 1 });
      throw new ConflictError(`injected conflict on ${keyOf(record)}`);
    }
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== storedVersion) {
      throw new ConflictError(`${keyOf(record)} is at version ${storedVersion}, not ${opts.expectedVersion}`);
    }
    const sameRun = stored?.launchTime === record.launchTime;
    const saved = {
      ...clone(record),
      chatRefs: sameRun ? (stored?.chatRefs ?? []) : [],
      version: storedVersion + 1,
    };
    this.records.set(keyOf(record), saved);
    this.outbox.push(...clone(opts.events ?? []));
    return clone(saved);
  }

  async delete(key: InstanceKey): Promise<void> {
    this.records.delete(keyOf(key));
  }

  async list(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    return [...this.records.values()]
      .filter((r) => !this.expired(r))
      .filter((r) => !filter.region || r.region === filter.region)
      .filter((r) => !filter.group || r.group === filter.group)
      .filter((r) => !filter.states || filter.states.includes(r.state))
      .map(clone);
  }

  async addChatRef(key: InstanceKey, launchTime: string, ref: ChatMessageRef): Promise<void> {
    const r = this.live(key);
    if (!r) throw new NotFoundError(`No record of instance ${keyOf(key)}; chat ref not kept`);
    if (r.launchTime !== launchTime) {
      throw new StaleRunError(
        `Instance ${key.instanceId} is on run ${r.launchTime}, not ${launchTime}; chat ref not kept`,
      );
    }
    r.chatRefs = [
      ...r.chatRefs.filter((c) => !(c.platform === ref.platform && c.channelId === ref.channelId)),
      clone(ref),
    ];
  }

  /** An expired tombstone counts as absent, as it would once DynamoDB's TTL removed it. */
  private live(key: InstanceKey): InstanceRecord | undefined {
    const r = this.records.get(keyOf(key));
    return r && !this.expired(r) ? r : undefined;
  }

  private expired(r: InstanceRecord): boolean {
    return r.expiresAt !== undefined && Date.parse(r.expiresAt) <= this.clock().getTime();
  }
}

/** One schedule per instance, upserted; firing is driven by the test. */
export class MemoryNagScheduler implements NagScheduler {
  readonly schedules = new Map<string, NagSchedule>();
  scheduleCalls = 0;

  async schedule(entry: NagSchedule): Promise<void> {
    this.scheduleCalls += 1;
    this.schedules.set(keyOf(entry), clone(entry));
  }

  async cancel(key: InstanceKey): Promise<void> {
    this.schedules.delete(keyOf(key));
  }

  async get(key: InstanceKey): Promise<NagSchedule | undefined> {
    const s = this.schedules.get(keyOf(key));
    return s ? clone(s) : undefined;
  }

  async list(): Promise<NagSchedule[]> {
    return [...this.schedules.values()].map(clone);
  }
}

/**
 * Consented stops in memory; firing is driven by the test (`fireDue`), with
 * the in-process scheduler's rules: a warning first when there is one, the
 * stop after, and an entry replaced or cancelled by its handler left alone.
 */
export class MemoryStopScheduler implements StopScheduler {
  readonly schedules = new Map<string, StopSchedule & { phase: 'warn' | 'stop' }>();

  async schedule(entry: StopSchedule): Promise<LeftSchedule[]> {
    for (const t of [entry.stopAt, entry.warnAt]) {
      if (t !== undefined && Number.isNaN(Date.parse(t))) throw new TypeError(`"${t}" is not an ISO time`);
    }
    this.schedules.set(keyOf(entry), { ...clone(entry), phase: entry.warnAt ? 'warn' : 'stop' });
    return [];
  }

  async cancel(key: InstanceKey): Promise<void> {
    this.schedules.delete(keyOf(key));
  }

  async get(key: InstanceKey): Promise<StopSchedule | undefined> {
    const s = this.schedules.get(keyOf(key));
    return s && pending(s);
  }

  async list(): Promise<StopSchedule[]> {
    return [...this.schedules.values()].sort((a, b) => fireMs(a) - fireMs(b)).map(pending);
  }

  /** Runs every firing due at `now` through `handler`, in time order; returns what fired. */
  async fireDue(now: Date, handler: StopFiringHandler): Promise<StopFiring[]> {
    const fired: StopFiring[] = [];
    for (;;) {
      const next = [...this.schedules.values()]
        .filter((s) => fireMs(s) <= now.getTime() && !fired.some((f) => sameFiring(f, s)))
        .sort((a, b) => fireMs(a) - fireMs(b))[0];
      if (!next) return fired;
      const firing: StopFiring = {
        kind: next.phase,
        region: next.region,
        instanceId: next.instanceId,
        launchTime: next.launchTime,
        stopAt: next.stopAt,
      };
      fired.push(firing);
      await handler(firing);
      const current = this.schedules.get(keyOf(next));
      if (current && sameFiring(firing, current)) {
        if (firing.kind === 'warn') current.phase = 'stop';
        else this.schedules.delete(keyOf(next));
      }
    }
  }
}

const fireMs = (s: StopSchedule & { phase: 'warn' | 'stop' }) =>
  Date.parse(s.phase === 'warn' && s.warnAt ? s.warnAt : s.stopAt);
const sameFiring = (f: StopFiring, s: StopSchedule & { phase: 'warn' | 'stop' }) =>
  keyOf(f) === keyOf(s) && f.stopAt === s.stopAt && f.launchTime === s.launchTime && f.kind === s.phase;
function pending(s: StopSchedule & { phase: 'warn' | 'stop' }): StopSchedule {
  const { phase, warnAt, ...rest } = clone(s);
  return phase === 'warn' && warnAt ? { ...rest, warnAt } : rest;
}

export class RecordingNotifier implements Notifier {
  readonly sent: NagNotification[] = [];
  /** Makes the next N notifications fail, as an SNS outage would. */
  failures = 0;

  async notify(notification: NagNotification): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('notifier unavailable');
    }
    this.sent.push(clone(notification));
  }
}

export class RecordingPublisher implements DomainEventPublisher {
  readonly events: DomainEvent[] = [];

  async publish(event: DomainEvent): Promise<void> {
    this.events.push(clone(event));
  }
}

/** A clock the test moves by hand; the one virtual clock every test uses. */
export class VirtualClock {
  constructor(private current: Date) {}
  readonly now = (): Date => new Date(this.current);
  set(iso: string | Date): void {
    this.current = new Date(iso);
  }
  /** Moves to `iso` unless the clock is already past it: firing an overdue step never turns time back. */
  advanceTo(iso: string | Date): void {
    this.current = new Date(Math.max(this.current.getTime(), new Date(iso).getTime()));
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
