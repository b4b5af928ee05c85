import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeNagScheduler } from '../../src/aws/eventBridgeNagScheduler.js';
import {
  InProcessNagScheduler,
  MAX_TIMER_DELAY_MS,
  type TimerFunctions,
} from '../../src/local/inProcessNagScheduler.js';
import { createLogger } from '../../src/log.js';
import type { Clock } from '../../src/ports/clock.js';
import type { NagSchedule, NagScheduler } from '../../src/ports/nagScheduler.js';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database.js';
import { SqliteNagScheduleStore } from '../../src/sqlite/nagScheduleStore.js';
import { MemoryNagScheduler } from '../support/fakes.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const NAG_FN = 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-nag';
const ROLE = 'arn:aws:iam::123456789012:role/lightsout-scheduler';
const START = new Date('2030-01-01T00:00:00.000Z');
const quietLog = createLogger('test', 'ERROR');
quietLog.setLogLevel('SILENT');

/** Timers on a virtual clock: `advanceTo` moves time and runs what fell due. */
class FakeTimers implements TimerFunctions {
  now = START;
  private seq = 0;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  readonly clock: Clock = () => this.now;

  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now.getTime() + ms, fn });
    return id;
  };

  clearTimeout = (id: unknown) => {
    this.pending.delete(id as number);
  };

  async advanceTo(when: Date | string, scheduler: InProcessNagScheduler): Promise<void> {
    this.now = new Date(when);
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= this.now.getTime())
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      due[1].fn();
      await scheduler.idle();
    }
    await scheduler.idle();
  }
}

const nag = (instanceId: string, dueAt: string, region = 'eu-west-1'): NagSchedule => ({
  region,
  instanceId,
  launchTime: '2029-12-31T12:00:00.000Z',
  dueAt,
});

const implementations: [string, () => Promise<NagScheduler>][] = [
  [
    'EventBridge Scheduler',
    async () => {
      await moto.reset();
      const scheduler = new EventBridgeNagScheduler(new SchedulerClient(moto.clientConfig), {
        targetArn: NAG_FN,
        roleArn: ROLE,
        clock: () => START,
      });
      await scheduler.ensureGroup();
      return scheduler;
    },
  ],
  [
    'in-process',
    async () => {
      const timers = new FakeTimers();
      return new InProcessNagScheduler(new SqliteNagScheduleStore(openDatabase(':memory:')), {
        clock: timers.clock,
        timers,
        log: quietLog,
      });
    },
  ],
  // The service tests' fake: it must keep the same contract, or they prove nothing.
  ['in-memory fake', async () => new MemoryNagScheduler()],
];

describe.each(implementations)('NagScheduler contract: %s', (_name, make) => {
  let scheduler: NagScheduler;
  beforeEach(async () => {
    scheduler = await make();
  });

  it('has nothing for an unknown instance', async () => {
    expect(await scheduler.get({ region: 'eu-west-1', instanceId: 'i-0000000000000000a' })).toBeUndefined();
    expect(await scheduler.list()).toEqual([]);
  });

  it('reads back a schedule as written', async () => {
    // Arrange
    const entry = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z');

    // Act
    await scheduler.schedule(entry);

    // Assert
    expect(await scheduler.get(entry)).toEqual(entry);
  });

  it('upserts: a second schedule for the instance replaces the first', async () => {
    // Arrange
    await scheduler.schedule(nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z'));

    // Act
    const moved = {
      ...nag('i-0123456789abcdef0', '2030-01-01T15:30:00.000Z'),
      launchTime: '2030-01-01T01:00:00.000Z',
    };
    await scheduler.schedule(moved);

    // Assert
    expect(await scheduler.list()).toEqual([moved]);
  });

  it('keeps exactly one schedule per instance however often it is rescheduled', async () => {
    // Arrange
    const times = ['2030-01-01T12:00:00.000Z', '2030-01-01T13:00:00.000Z', '2030-01-01T12:30:00.000Z'];

    // Act
    for (const t of times) await scheduler.schedule(nag('i-0123456789abcdef0', t));

    // Assert
    const last = nag('i-0123456789abcdef0', '2030-01-01T12:30:00.000Z');
    expect(await scheduler.list()).toEqual([last]);
    expect(await scheduler.get(last)).toEqual(last);
  });

  it('lists schedules of several instances and regions', async () => {
    // Arrange
    const entries = [
      nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z'),
      nag('i-0123456789abcdef0', '2030-01-01T13:00:00.000Z', 'us-east-1'),
      nag('i-0fedcba9876543210', '2030-01-02T12:00:00.000Z'),
    ];

    // Act
    for (const e of entries) await scheduler.schedule(e);

    // Assert
    const byKey = (s: NagSchedule) => `${s.region}/${s.instanceId}`;
    expect((await scheduler.list()).sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(
      [...entries].sort((a, b) => byKey(a).localeCompare(byKey(b))),
    );
  });

  it('cancels, and cancelling a missing schedule is not an error', async () => {
    // Arrange
    const entry = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z');
    await scheduler.schedule(entry);

    // Act
    await scheduler.cancel(entry);
    await scheduler.cancel(entry);

    // Assert
    expect(await scheduler.get(entry)).toBeUndefined();
    expect(await scheduler.list()).toEqual([]);
  });
});

describe('EventBridgeNagScheduler on moto', () => {
  let client: SchedulerClient;
  let scheduler: EventBridgeNagScheduler;
  beforeEach(async () => {
    await moto.reset();
    client = new SchedulerClient(moto.clientConfig);
    scheduler = new EventBridgeNagScheduler(client, { targetArn: NAG_FN, roleArn: ROLE, clock: () => START });
    await scheduler.ensureGroup();
  });

  const namesInGroup = async (group = 'lightsout') =>
    ((await client.send(new ListSchedulesCommand({ GroupName: group }))).Schedules ?? [])
      .map((s) => s.Name)
      .sort();

  it('creates a one-shot at() schedule named after the instance and its time that deletes itself and targets the nag function', async () => {
    // Arrange
    const entry = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z', 'ap-southeast-2');

    // Act
    await scheduler.schedule(entry);

    // Assert
    const got = await client.send(
      new GetScheduleCommand({
        Name: 'i-0123456789abcdef0-ap-southeast-2-20300101T1200',
        GroupName: 'lightsout',
      }),
    );
    expect(got.ScheduleExpression).toBe('at(2030-01-01T12:00:00)');
    expect(got.ScheduleExpressionTimezone).toBe('UTC');
    expect(got.ActionAfterCompletion).toBe('DELETE');
    expect(got.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(got.Target?.Arn).toBe(NAG_FN);
    expect(got.Target?.RoleArn).toBe(ROLE);
    expect(JSON.parse(got.Target?.Input ?? '{}')).toEqual(entry);
    expect(got.Name!.length).toBeLessThanOrEqual(64);
    expect(got.Name).toMatch(/^[0-9a-zA-Z-_.]+$/);
  });

  it('puts an overdue nag one minute out, keeping its original dueAt in the input', async () => {
    // Arrange
    const overdue = nag('i-0123456789abcdef0', '2029-12-31T23:00:00.000Z');

    // Act
    await scheduler.schedule(overdue);

    // Assert
    const got = await client.send(
      new GetScheduleCommand({ Name: 'i-0123456789abcdef0-eu-west-1-20300101T0001', GroupName: 'lightsout' }),
    );
    expect(got.ScheduleExpression).toBe('at(2030-01-01T00:01:00)');
    expect(await scheduler.get(overdue)).toEqual(overdue);
  });

  it('treats a schedule whose input was edited by hand as missing, so a reconcile recreates it', async () => {
    // Arrange
    const entry = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z');
    await scheduler.schedule(entry);
    await client.send(
      new UpdateScheduleCommand({
        Name: 'i-0123456789abcdef0-eu-west-1-20300101T1200',
        GroupName: 'lightsout',
        ScheduleExpression: 'at(2030-01-01T12:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: NAG_FN, RoleArn: ROLE, Input: 'not json' },
      }),
    );

    // Act
    const got = await scheduler.get(entry);

    // Assert
    expect(got).toBeUndefined();
    expect(await scheduler.listKeys()).toEqual([{ instanceId: 'i-0123456789abcdef0', region: 'eu-west-1' }]);
  });

  it('reschedules under a new name and deletes the old schedule, so the firing one is never updated in place', async () => {
    // Arrange: the 12:00 schedule is firing, and the nag it invoked schedules the next one.
    const firing = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z');
    await scheduler.schedule(firing);
    await scheduler.schedule(nag('i-0fedcba9876543210', '2030-01-01T12:00:00.000Z'));

    // Act
    const next = nag('i-0123456789abcdef0', '2030-01-01T13:00:00.000Z');
    await scheduler.schedule(next);

    // Assert: exactly one schedule for the instance, the new one; the other instance keeps its own.
    expect(await namesInGroup()).toEqual([
      'i-0123456789abcdef0-eu-west-1-20300101T1300',
      'i-0fedcba9876543210-eu-west-1-20300101T1200',
    ]);
    expect(await scheduler.get(next)).toEqual(next);
  });

  it('fits the longest region in a 64-character name', async () => {
    // Arrange
    const entry = nag('i-0123456789abcdef0', '2030-12-31T23:59:00.000Z', 'us-isof-south-1');

    // Act
    await scheduler.schedule(entry);

    // Assert
    const [name] = await namesInGroup();
    expect(name).toBe('i-0123456789abcdef0-us-isof-south-1-20301231T2359');
    expect(name!.length).toBeLessThanOrEqual(64);
    expect(await scheduler.get(entry)).toEqual(entry);
  });

  it("cancel removes every schedule of the instance, leftovers and pre-suffix names included, and no one else's", async () => {
    // Arrange: a leftover and an old-style name beside the current one, plus a look-alike region.
    const entry = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z');
    await scheduler.schedule(entry);
    const raw = (name: string) =>
      client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: 'lightsout',
          ScheduleExpression: 'at(2030-01-01T09:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: NAG_FN, RoleArn: ROLE, Input: JSON.stringify(entry) },
        }),
      );
    await raw('i-0123456789abcdef0-eu-west-1-20300101T0900');
    await raw('i-0123456789abcdef0-eu-west-1');
    await scheduler.schedule(nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z', 'eu-west-10'));

    // Act
    await scheduler.cancel(entry);

    // Assert
    expect(await namesInGroup()).toEqual(['i-0123456789abcdef0-eu-west-10-20300101T1200']);
    expect(await scheduler.get(entry)).toBeUndefined();
  });

  it('lists an instance once, even while a leftover schedule sits beside the current one', async () => {
    // Arrange
    const entry = nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z');
    await scheduler.schedule(entry);
    await client.send(
      new CreateScheduleCommand({
        Name: 'i-0123456789abcdef0-eu-west-1',
        GroupName: 'lightsout',
        ScheduleExpression: 'at(2030-01-01T09:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: NAG_FN, RoleArn: ROLE, Input: JSON.stringify(entry) },
      }),
    );

    // Act
    const keys = await scheduler.listKeys();
    const all = await scheduler.list();

    // Assert
    expect(keys).toEqual([{ instanceId: 'i-0123456789abcdef0', region: 'eu-west-1' }]);
    expect(all).toEqual([entry]);
  });

  it('pages through more than one ListSchedules page', async () => {
    // Arrange
    const ids = Array.from({ length: 105 }, (_, i) => `i-${(i + 1).toString(16).padStart(17, '0')}`);
    for (const id of ids) await scheduler.schedule(nag(id, '2030-01-01T12:00:00.000Z'));

    // Act
    const keys = await scheduler.listKeys();

    // Assert
    expect(keys.map((k) => k.instanceId).sort()).toEqual(ids.sort());
  });

  it('lists only its own group', async () => {
    // Arrange
    const other = new EventBridgeNagScheduler(client, {
      groupName: 'someone-else',
      targetArn: NAG_FN,
      roleArn: ROLE,
      clock: () => START,
    });
    await other.ensureGroup();
    await other.schedule(nag('i-0fedcba9876543210', '2030-01-01T12:00:00.000Z'));
    await scheduler.schedule(nag('i-0123456789abcdef0', '2030-01-01T12:00:00.000Z'));

    // Act
    const mine = await scheduler.list();

    // Assert
    expect(mine.map((s) => s.instanceId)).toEqual(['i-0123456789abcdef0']);
  });
});

describe('InProcessNagScheduler', () => {
  let dir: string;
  let dbs: SqliteDatabase[];
  let timers: FakeTimers;
  let fired: NagSchedule[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lightsout-nags-'));
    dbs = [];
    timers = new FakeTimers();
    fired = [];
  });
  afterEach(() => {
    for (const db of dbs) if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function open(): { scheduler: InProcessNagScheduler; store: SqliteNagScheduleStore } {
    const db = openDatabase(join(dir, 'lightsout.db'));
    dbs.push(db);
    const store = new SqliteNagScheduleStore(db);
    const scheduler = new InProcessNagScheduler(store, {
      clock: timers.clock,
      timers,
      log: quietLog,
      retryDelayMs: 60_000,
    });
    return { scheduler, store };
  }

  const record = async (due: NagSchedule) => {
    fired.push(due);
  };

  it('keeps one timer for the earliest nag, however many are scheduled', async () => {
    // Arrange
    const { scheduler } = open();
    await scheduler.start(record);

    // Act
    for (let i = 0; i < 50; i++) {
      const at = new Date(START.getTime() + (50 - i) * 60_000).toISOString();
      await scheduler.schedule(nag(`i-${i.toString(16).padStart(17, '0')}`, at));
    }

    // Assert
    expect(timers.pending.size).toBe(1);
    expect(scheduler.nextWakeMs).toBe(START.getTime() + 60_000);
  });

  it('fires each nag when it falls due, entry still stored while the handler runs, then removed', async () => {
    // Arrange
    const { scheduler } = open();
    const a = nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z');
    const b = nag('i-000000000000000b2', '2030-01-01T02:00:00.000Z');
    const seenWhileFiring: (NagSchedule | undefined)[] = [];
    await scheduler.start(async (due) => {
      seenWhileFiring.push(await scheduler.get(due));
      fired.push(due);
    });
    await scheduler.schedule(b);
    await scheduler.schedule(a);

    // Act
    await timers.advanceTo('2030-01-01T01:30:00.000Z', scheduler);

    // Assert
    expect(fired).toEqual([a]);
    expect(seenWhileFiring).toEqual([a]);
    expect(await scheduler.list()).toEqual([b]);
    expect(scheduler.nextWakeMs).toBe(Date.parse(b.dueAt));

    // Act
    await timers.advanceTo('2030-01-01T02:00:00.000Z', scheduler);

    // Assert
    expect(fired).toEqual([a, b]);
    expect(await scheduler.list()).toEqual([]);
    expect(timers.pending.size).toBe(0);
  });

  it('fires the other due nags while one handler is still waiting (a hung EC2 call)', async () => {
    // Arrange: two nags due at once; the first one's handler waits until released.
    const { scheduler } = open();
    const stuck = nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z');
    const other = nag('i-000000000000000b2', '2030-01-01T01:00:00.000Z');
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await scheduler.start(async (due) => {
      if (due.instanceId === stuck.instanceId) await held;
      fired.push(due);
    });
    await scheduler.schedule(stuck);
    await scheduler.schedule(other);

    // Act: the timer fires; the first handler is still waiting.
    timers.now = new Date(stuck.dueAt);
    for (const [id, t] of [...timers.pending]) {
      timers.pending.delete(id);
      t.fn();
    }
    await expect.poll(() => fired.map((f) => f.instanceId)).toEqual([other.instanceId]);
    release();
    await scheduler.idle();

    // Assert
    expect(fired.map((f) => f.instanceId)).toEqual([other.instanceId, stuck.instanceId]);
    expect(await scheduler.list()).toEqual([]);
  });

  it('keeps the next nag a handler schedules for the same instance', async () => {
    // Arrange
    const { scheduler } = open();
    const first = nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z');
    const renotify = nag('i-000000000000000a1', '2030-01-01T02:00:00.000Z');
    await scheduler.start(async (due) => {
      fired.push(due);
      if (due.dueAt === first.dueAt) await scheduler.schedule(renotify);
    });
    await scheduler.schedule(first);

    // Act
    await timers.advanceTo('2030-01-01T01:00:00.000Z', scheduler);

    // Assert
    expect(fired).toEqual([first]);
    expect(await scheduler.list()).toEqual([renotify]);
    expect(scheduler.nextWakeMs).toBe(Date.parse(renotify.dueAt));
  });

  it('keeps a nag whose handler failed and retries it later with backoff', async () => {
    // Arrange
    const { scheduler } = open();
    const entry = nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z');
    let failures = 2;
    await scheduler.start(async (due) => {
      fired.push(due);
      if (failures-- > 0) throw new Error('chat is down');
    });
    await scheduler.schedule(entry);

    // Act: first attempt fails, the retry one minute later fails, the next (two minutes on) succeeds.
    await timers.advanceTo('2030-01-01T01:00:00.000Z', scheduler);
    await timers.advanceTo('2030-01-01T01:00:59.000Z', scheduler);
    const afterOneAttempt = fired.length;
    await timers.advanceTo('2030-01-01T01:01:00.000Z', scheduler);
    await timers.advanceTo('2030-01-01T01:03:00.000Z', scheduler);

    // Assert
    expect(afterOneAttempt).toBe(1);
    expect(fired).toEqual([entry, entry, entry]);
    expect(await scheduler.list()).toEqual([]);
  });

  it('survives a restart and fires at start-up what fell due while it was down', async () => {
    // Arrange: one process schedules, then dies before anything is due.
    const overdue = nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z');
    const later = nag('i-000000000000000b2', '2030-01-03T00:00:00.000Z');
    const first = open();
    await first.scheduler.start(record);
    await first.scheduler.schedule(overdue);
    await first.scheduler.schedule(later);
    await first.scheduler.stop();
    dbs[0]!.close();
    timers.now = new Date('2030-01-02T00:00:00.000Z');

    // Act
    const second = open();
    await second.scheduler.start(record);

    // Assert
    expect(fired).toEqual([overdue]);
    expect(await second.scheduler.list()).toEqual([later]);
    expect(second.scheduler.nextWakeMs).toBe(Date.parse(later.dueAt));
  });

  it('repeats a nag interrupted by a crash instead of losing it', async () => {
    // Arrange: the handler never finishes, as when the process is killed mid-nag.
    const entry = nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z');
    const first = open();
    await first.scheduler.schedule(entry);
    timers.now = new Date('2030-01-01T01:00:00.000Z');
    void first.scheduler.start(() => new Promise<void>(() => {}));
    dbs[0]!.close();

    // Act
    const second = open();
    await second.scheduler.start(record);

    // Assert
    expect(fired).toEqual([entry]);
  });

  it('waits past the 24.8-day setTimeout limit by re-arming', async () => {
    // Arrange
    const { scheduler } = open();
    await scheduler.start(record);
    const far = nag('i-000000000000000a1', new Date(START.getTime() + 40 * 86_400_000).toISOString());

    // Act
    await scheduler.schedule(far);
    const firstTimer = [...timers.pending.values()][0]!;
    await timers.advanceTo(new Date(START.getTime() + MAX_TIMER_DELAY_MS), scheduler);

    // Assert
    expect(firstTimer.at - START.getTime()).toBe(MAX_TIMER_DELAY_MS);
    expect(fired).toEqual([]);
    expect(timers.pending.size).toBe(1);

    // Act
    await timers.advanceTo(far.dueAt, scheduler);

    // Assert
    expect(fired).toEqual([far]);
  });

  it('persists schedules made before start and stops cleanly', async () => {
    // Arrange
    const { scheduler } = open();
    await scheduler.schedule(nag('i-000000000000000a1', '2030-01-01T01:00:00.000Z'));
    expect(timers.pending.size).toBe(0);

    // Act
    await scheduler.start(record);
    const armed = timers.pending.size;
    await scheduler.stop();

    // Assert
    expect(armed).toBe(1);
    expect(timers.pending.size).toBe(0);
    expect(fired).toEqual([]);
  });
});
