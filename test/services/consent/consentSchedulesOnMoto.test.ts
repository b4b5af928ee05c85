/**
 * The consent service on its real peers, as Lambda runs it against
 * EventBridge Scheduler (moto, behind the fault proxy) and as the single
 * process runs it (SQLite): whatever fails or lands at the same time, the
 * schedules left are those of the stop the record names, so nobody is told a
 * stop is scheduled that nothing will carry out.
 */
import { DeleteScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeNagScheduler } from '../../../src/aws/eventBridgeNagScheduler.js';
import { EventBridgeStopScheduler, parseStopFiring } from '../../../src/aws/eventBridgeStopScheduler.js';
import { HOUR } from '../../../src/core/duration.js';
import type { RunRef } from '../../../src/core/instance.js';
import { InProcessStopScheduler } from '../../../src/local/inProcessStopScheduler.js';
import type { StopSchedule, StopScheduler, WantedStop } from '../../../src/ports/stopScheduler.js';
import { StopConsentService } from '../../../src/services/consent/stopConsentService.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { RunStopper } from '../../../src/services/monitor/stop.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { SqliteStopScheduleStore } from '../../../src/sqlite/stopScheduleStore.js';
import {
  FakeFleet,
  MemoryNagScheduler,
  RecordingNotifier,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { useMoto } from '../../support/moto.js';
import { fireDueSchedules } from '../../support/schedulerFiring.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
const CONSENT_FN = 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-consentStop';
const ROLE = 'arn:aws:iam::123456789012:role/lightsout-scheduler';
const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };
const bob = { platform: 'teams' as const, id: 'aad-bob', name: 'Bob' };
const at = (iso: string) => ({ kind: 'at' as const, at: iso });

/** SQLite records, the given stop scheduler, the monitor and RunStopper on one virtual clock. */
function world(clock: VirtualClock, stops: StopScheduler) {
  const fleet = new FakeFleet();
  const db = openDatabase(':memory:');
  const store = new SqliteInstanceStore(db, { clock: clock.now });
  const audit = new SqliteAuditLog(db);
  const monitor = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    stopScheduler: stops,
    notifier: new RecordingNotifier(),
    events: new RecordingPublisher(),
    clock: clock.now,
    settings: {
      mode: 'opt-in',
      defaultGroup: 'web',
      defaultThresholdSeconds: 2 * HOUR,
      defaultRenotifySeconds: HOUR,
      regions: ['eu-west-1'],
      tombstoneTtlSeconds: 24 * HOUR,
    },
  });
  const stopper = new RunStopper({ monitor, store, fleet, audit, clock: clock.now });
  const consent = new StopConsentService({ store, scheduler: stops, stopper, audit, clock: clock.now });
  return {
    fleet,
    store,
    consent,
    async launch(): Promise<RunRef> {
      const i = fleet.add({
        launchTime: clock.now().toISOString(),
        tags: { Monitor: 'true', Name: 'render-1' },
      });
      await monitor.handleStateChange({
        region: i.region,
        instanceId: i.instanceId,
        state: 'running',
        time: clock.now().toISOString(),
      });
      return { region: i.region, instanceId: i.instanceId, launchTime: i.launchTime };
    },
  };
}

const consentAt = async (w: ReturnType<typeof world>, run: RunRef) => {
  const c = (await w.store.get(run))?.stopConsent;
  return c?.kind === 'at' ? c.at : undefined;
};

describe('stop schedules on EventBridge Scheduler (moto)', () => {
  let clock: VirtualClock;
  let client: SchedulerClient;
  let w: ReturnType<typeof world>;
  let run: RunRef;

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
    clock = new VirtualClock(new Date('2026-12-02T14:00:00.000Z'));
    client = new SchedulerClient(proxy.get().clientConfig);
    await new EventBridgeNagScheduler(client, { targetArn: CONSENT_FN, roleArn: ROLE }).ensureGroup();
    const stops = new EventBridgeStopScheduler(client, {
      targetArn: CONSENT_FN,
      roleArn: ROLE,
      clock: clock.now,
    });
    w = world(clock, stops);
    run = await w.launch();
  });

  /** The stop-/warn- schedules on moto, by name. */
  const names = async () =>
    ((await client.send(new ListSchedulesCommand({ GroupName: 'lightsout' }))).Schedules ?? [])
      .map((s) => s.Name!)
      .filter((n) => /^(stop|warn)-/.test(n))
      .sort();
  const nameOf = (kind: 'stop' | 'warn', hhmm: string) =>
    `${kind}-${run.instanceId}-${run.region}-20261202T${hhmm}`;
  /** Fires what is due at `iso` through the consent service, as the consent function would. */
  const fireUntil = async (iso: string) => {
    clock.advanceTo(iso);
    const outcomes: string[] = [];
    await fireDueSchedules(client, { now: clock.now(), prefixes: ['stop-', 'warn-'] }, async (input) => {
      outcomes.push((await w.consent.handleFiring(parseStopFiring(input)!)).act);
    });
    return outcomes;
  };

  it('+1h whose old warning cannot be deleted is kept, with its schedule, and the old warning fires into nothing', async () => {
    // Arrange
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    proxy.get().addRule({
      action: `DELETE /schedules/${nameOf('warn', '1900')}`,
      fault: { kind: 'error', status: 500 },
    });

    // Act
    const moved = await w.consent.postpone(run, 3600, bob);
    const recorded = await consentAt(w, run);
    const left = await names();
    proxy.get().clearRules();
    const atOldWarning = await fireUntil('2026-12-02T18:50:00.000Z');
    const atNewWarning = await fireUntil('2026-12-02T19:50:00.000Z');
    const atStop = await fireUntil('2026-12-02T20:00:00.000Z');

    // Assert
    expect(proxy.get().count(`DELETE /schedules/${nameOf('warn', '1900')}`).errored).toBeGreaterThan(0);
    expect(moved).toMatchObject({ status: 'done', notice: expect.stringContaining('Moved') });
    expect(recorded).toBe('2026-12-02T20:00:00.000Z');
    expect(left).toEqual([nameOf('stop', '2000'), nameOf('warn', '1900'), nameOf('warn', '2000')]);
    expect(atOldWarning).toEqual(['nothing']);
    expect(atNewWarning).toEqual(['warn']);
    expect(atStop).toEqual(['stop']);
    expect(w.fleet.stats.stopCalls).toBe(1);
  });

  it('a change the scheduler refuses is undone, and the restored stop has its schedules again', async () => {
    // Arrange: 19:00 is scheduled, but its stop schedule has gone missing meanwhile.
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    await client.send(new DeleteScheduleCommand({ GroupName: 'lightsout', Name: nameOf('stop', '1900') }));
    proxy.get().addRule({
      action: `POST /schedules/${nameOf('warn', '2000')}`,
      fault: { kind: 'error', status: 500 },
    });

    // Act
    const moved = await w.consent.postpone(run, 3600, bob);
    proxy.get().clearRules();

    // Assert
    expect(moved).toMatchObject({ status: 'refused', notice: expect.stringContaining('Nothing changed') });
    expect(await consentAt(w, run)).toBe('2026-12-02T19:00:00.000Z');
    expect(await names()).toEqual([nameOf('stop', '1900'), nameOf('warn', '1900')]);
  });

  it('two changes at once end with exactly the schedules of the stop the record names', async () => {
    // Arrange: ana's change is held at its first listing, after making its schedules;
    // bob's lands and finishes meanwhile (it deletes ana's as superseded).
    proxy.get().addRule({ action: 'GET /schedules', fault: { kind: 'hang' }, times: 1 });
    const first = w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    await until(() => proxy.get().pendingHangs() === 1);

    // Act
    const second = await w.consent.give(run, at('2026-12-02T20:00:00.000Z'), bob);
    proxy.get().releaseHangs();
    const firstResult = await first;

    // Assert
    expect([firstResult.status, second.status]).toEqual(['done', 'done']);
    expect(await consentAt(w, run)).toBe('2026-12-02T20:00:00.000Z');
    expect(await names()).toEqual([nameOf('stop', '2000'), nameOf('warn', '2000')]);
  });

  it('a cancel and a new stop at once end with the new stop scheduled', async () => {
    // Arrange: the cancel is held at its listing; a new consent lands and finishes meanwhile.
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    proxy.get().addRule({ action: 'GET /schedules', fault: { kind: 'hang' }, times: 1 });
    const cancelling = w.consent.cancel(run, ana);
    await until(() => proxy.get().pendingHangs() === 1);

    // Act
    const given = await w.consent.give(run, at('2026-12-02T21:00:00.000Z'), bob);
    proxy.get().releaseHangs();
    await cancelling;

    // Assert
    expect(given.status).toBe('done');
    expect(await consentAt(w, run)).toBe('2026-12-02T21:00:00.000Z');
    expect(await names()).toEqual([nameOf('stop', '2100'), nameOf('warn', '2100')]);
  });
});

describe('stop schedules in SQLite (single process)', () => {
  it('two changes at once leave the row of the stop the record names, even when the first writes it last', async () => {
    // Arrange: the first change's schedule write waits until the second is done.
    const clock = new VirtualClock(new Date('2026-12-02T14:00:00.000Z'));
    const real = new InProcessStopScheduler(new SqliteStopScheduleStore(openDatabase(':memory:')), {
      clock: clock.now,
      timers: { setTimeout: () => 0, clearTimeout: () => undefined },
    });
    const held = new HeldFirstSchedule(real);
    const w = world(clock, held);
    const run = await w.launch();

    // Act
    const first = w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    await until(() => held.waiting);
    const second = await w.consent.give(run, at('2026-12-02T20:00:00.000Z'), bob);
    held.release();
    await first;

    // Assert
    expect(second.status).toBe('done');
    expect(await consentAt(w, run)).toBe('2026-12-02T20:00:00.000Z');
    expect((await real.list()).map((s) => s.stopAt)).toEqual(['2026-12-02T20:00:00.000Z']);
  });
});

/** The real scheduler, with its first `schedule` call held until `release()`: a slow writer, on demand. */
class HeldFirstSchedule implements StopScheduler {
  waiting = false;
  private gate: Promise<void> | undefined;
  release: () => void = () => undefined;
  constructor(private readonly inner: StopScheduler) {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  async schedule(entry: StopSchedule, wanted?: WantedStop) {
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      this.waiting = true;
      await gate;
    }
    return this.inner.schedule(entry, wanted);
  }
  cancel = (key: RunRef, wanted?: WantedStop) => this.inner.cancel(key, wanted);
  get = (key: RunRef) => this.inner.get(key);
  list = () => this.inner.list();
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition never held');
}
