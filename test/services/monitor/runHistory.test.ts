/**
 * Ended runs reach the run history through the outbox, as the single
 * process wires it: the SQLite store writes the record and its event in one
 * transaction, the deliverer hands the event to the bus, and the recorder
 * writes the history. A history write that fails, or a process that dies
 * before delivering, loses nothing: the entry stays in the outbox.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { buildDigest } from '../../../src/core/digest.js';
import { HOUR } from '../../../src/core/duration.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import type { RunHistoryEntry } from '../../../src/core/runHistory.js';
import type { RunHistory } from '../../../src/ports/runHistory.js';
import { InProcessEventBus } from '../../../src/services/monitor/eventBus.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { runHistoryRecorder } from '../../../src/services/monitor/runHistoryRecorder.js';
import { OutboxDeliverer } from '../../../src/services/outbox/outboxDeliverer.js';
import { openDatabase, type SqliteDatabase } from '../../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { SqliteOutbox } from '../../../src/sqlite/outbox.js';
import { SqliteRunHistory } from '../../../src/sqlite/runHistory.js';
import { FakeFleet, MemoryNagScheduler, RecordingNotifier, VirtualClock } from '../../support/fakes.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';

const LAUNCH = '2026-11-16T08:00:00.000Z';
const WEEK = { since: new Date('2026-11-16T00:00:00Z'), until: new Date('2026-11-23T00:00:00Z') };

/** A history that fails its next `failures` writes, as a full disk or a throttled table would. */
class FlakyHistory implements RunHistory {
  constructor(
    private readonly inner: RunHistory,
    public failures = 0,
  ) {}
  async record(entry: RunHistoryEntry): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('history unavailable');
    }
    await this.inner.record(entry);
  }
  between = (q: Parameters<RunHistory['between']>[0]) => this.inner.between(q);
}

function world(db: SqliteDatabase = openDatabase(':memory:'), opts: { dies?: boolean } = {}) {
  const clock = new VirtualClock(new Date(LAUNCH));
  const fleet = new FakeFleet();
  const store = new SqliteInstanceStore(db, { clock: clock.now });
  const outbox = new SqliteOutbox(db, { clock: clock.now });
  const history = new FlakyHistory(new SqliteRunHistory(db));
  const bus = new InProcessEventBus();
  bus.subscribe(runHistoryRecorder(history));
  const deliverer = new OutboxDeliverer({ outbox, sink: (e) => bus.deliver(e), clock: clock.now });
  const service = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier: new RecordingNotifier(),
    // A process that dies right after its write never gets to deliver.
    events: { publish: async () => (opts.dies ? undefined : void (await deliverer.drain())) },
    clock: clock.now,
    settings: testMonitorSettings(),
    sweepObservesStopped: true,
  });
  const observe = (instanceId: string, state: string) =>
    service.handleStateChange({ region: 'eu-west-1', instanceId, state, time: clock.now().toISOString() });
  return { db, clock, fleet, store, outbox, history, deliverer, service, observe };
}

type World = ReturnType<typeof world>;

async function launch(w: World, tags: Record<string, string> = {}) {
  const instance = w.fleet.add({
    launchTime: LAUNCH,
    tags: { Monitor: 'true', MonitorGroup: 'render', Threshold: '8', Name: 'render-1', ...tags },
  });
  await w.observe(instance.instanceId, 'running');
  return instance;
}

describe('recording ended runs', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  it('records a stop from chat with who stopped it, the threshold, the hours beyond it, owner and price', async () => {
    // Arrange: 10 h into an 8 h threshold, extended by 1 h, priced at $4.10/h.
    const instance = await launch(w, { Owner: 'ana@example.com' });
    const run = { region: 'eu-west-1', instanceId: instance.instanceId, launchTime: LAUNCH };
    await w.service.extend(run, HOUR, 'slack:U1');
    const record = (await w.store.get(run))!;
    const priced = {
      ...record,
      price: { hourlyUsd: 4.1, source: 'on-demand', at: LAUNCH },
    } as InstanceRecord;
    await w.store.put(priced, { expectedVersion: record.version });
    w.clock.advance(10 * HOUR);

    // Act: Stop pressed in Slack, then EC2 reports the stop a minute later.
    await w.service.stopRequested(run, { platform: 'slack', id: 'U1', name: 'ana' });
    w.clock.advance(60);
    await w.observe(instance.instanceId, 'stopped');

    // Assert
    expect(await w.history.between(WEEK)).toEqual([
      {
        region: 'eu-west-1',
        instanceId: instance.instanceId,
        launchTime: LAUNCH,
        stoppedAt: '2026-11-16T18:00:00.000Z',
        endedBy: 'actor',
        actor: { platform: 'slack', id: 'U1', name: 'ana' },
        group: 'render',
        name: 'render-1',
        owner: 'ana@example.com',
        thresholdSeconds: 9 * HOUR,
        runtimeSeconds: 10 * HOUR,
        secondsBeyondThreshold: HOUR,
        hourlyUsd: 4.1,
      },
    ]);
  });

  it('records a stop made outside Lights Out once, even when the termination follows', async () => {
    // Arrange
    const instance = await launch(w);
    w.clock.advance(3 * HOUR);

    // Act
    await w.observe(instance.instanceId, 'stopped');
    w.clock.advance(HOUR);
    w.fleet.set(instance, { state: 'terminated' });
    await w.observe(instance.instanceId, 'terminated');

    // Assert: stopped in time, so nothing beyond the threshold; price unknown.
    expect(await w.history.between(WEEK)).toMatchObject([
      {
        endedBy: 'outside',
        stoppedAt: '2026-11-16T11:00:00.000Z',
        runtimeSeconds: 3 * HOUR,
        secondsBeyondThreshold: 0,
        hourlyUsd: null,
      },
    ]);
  });

  it('records a termination of a running instance as terminated', async () => {
    // Arrange
    const instance = await launch(w);
    w.clock.advance(9 * HOUR);

    // Act
    w.fleet.set(instance, { state: 'terminated' });
    await w.observe(instance.instanceId, 'terminated');

    // Assert
    expect(await w.history.between(WEEK)).toMatchObject([
      { endedBy: 'terminated', runtimeSeconds: 9 * HOUR, secondsBeyondThreshold: HOUR },
    ]);
  });

  it('keeps the event while the history cannot be written, and records the run on the retry', async () => {
    // Arrange
    const instance = await launch(w);
    w.clock.advance(9 * HOUR);
    w.history.failures = 1;

    // Act
    await w.observe(instance.instanceId, 'stopped');
    const whileFailing = await w.outbox.stats();
    const before = await w.history.between(WEEK);
    w.clock.advance(60);
    await w.deliverer.drain();

    // Assert
    expect(whileFailing).toMatchObject({
      depth: 1,
      oldestPending: { type: 'instance.stopped', attempts: 1 },
    });
    expect(before).toEqual([]);
    expect(await w.history.between(WEEK)).toMatchObject([{ instanceId: instance.instanceId }]);
    expect(await w.outbox.stats()).toEqual({ depth: 0, failed: 0 });
  });

  it('records, after a restart, a run whose process died before delivering its stop', async () => {
    // Arrange: the stop is written with its event, and the process dies before any delivery.
    const db = openDatabase(':memory:');
    const dying = world(db, { dies: true });
    const instance = await launch(dying);
    dying.clock.advance(9 * HOUR);
    await dying.observe(instance.instanceId, 'stopped');
    const left = await dying.outbox.stats();

    // Act: a new process on the same database delivers what is pending.
    const restarted = world(db);
    restarted.clock.set(dying.clock.now().toISOString());
    await restarted.deliverer.drain();

    // Assert
    expect(left).toMatchObject({ depth: 1, oldestPending: { attempts: 0 } });
    expect(await restarted.history.between(WEEK)).toMatchObject([
      { instanceId: instance.instanceId, endedBy: 'outside', secondsBeyondThreshold: HOUR },
    ]);
  });

  it('closes a run whose stop nobody saw when the sweep sees the next launch, at the last time it was known up', async () => {
    // Arrange: 8 h threshold; last nagged 10 h in, priced at $2/h.
    const instance = await launch(w);
    const run = { region: 'eu-west-1', instanceId: instance.instanceId, launchTime: LAUNCH };
    const record = (await w.store.get(run))!;
    await w.store.put(
      {
        ...record,
        lastNagAt: '2026-11-16T18:00:00.000Z',
        nagCount: 2,
        price: { hourlyUsd: 2, source: 'on-demand', at: LAUNCH },
      } as InstanceRecord,
      { expectedVersion: record.version },
    );
    // While the process is down the instance stops (at 20:00, unseen) and is started again the next morning.
    w.fleet.set(instance, { launchTime: '2026-11-17T07:00:00.000Z', state: 'running' });
    w.clock.set('2026-11-17T07:30:00.000Z');

    // Act
    await w.service.reconcile();
    const entries = await w.history.between(WEEK);
    const digest = buildDigest({ ...WEEK, timeZone: 'UTC', runs: entries, open: [] });

    // Assert: the old run ends at its last nag (never later than the new launch); the new run is tracked.
    expect(entries).toEqual([
      {
        region: 'eu-west-1',
        instanceId: instance.instanceId,
        launchTime: LAUNCH,
        stoppedAt: '2026-11-16T18:00:00.000Z',
        endedBy: 'unobserved',
        group: 'render',
        name: 'render-1',
        thresholdSeconds: 8 * HOUR,
        runtimeSeconds: 10 * HOUR,
        secondsBeyondThreshold: 2 * HOUR,
        hourlyUsd: 2,
      },
    ]);
    expect((await w.store.get(run))?.launchTime).toBe('2026-11-17T07:00:00.000Z');
    // The digest counts the 2 h that were seen, at $2/h, and no stop through Lights Out.
    expect(digest.totals).toMatchObject({ hoursBeyond: 2, cost: { usd: 4 }, stops: 0 });
    expect(digest.stops).toEqual([]);
    expect(digest.overThreshold[0]!.reason).toBe(
      '1 run beyond its 8h threshold, 2h in all; a stop not seen, counted to when last seen running',
    );
  });

  it('never dates an unseen stop after the next launch, and records nothing when the stop was seen', async () => {
    // Arrange: one instance nagged "after" its next launch (clock skew), one whose stop was seen.
    const skewed = await launch(w);
    const seen = w.fleet.add({
      launchTime: LAUNCH,
      tags: { Monitor: 'true', MonitorGroup: 'render', Threshold: '8', Name: 'render-2' },
    });
    await w.observe(seen.instanceId, 'running');
    const key = { region: 'eu-west-1', instanceId: skewed.instanceId };
    const record = (await w.store.get(key))!;
    await w.store.put(
      { ...record, lastNagAt: '2026-11-16T21:00:00.000Z' },
      { expectedVersion: record.version },
    );
    w.clock.set('2026-11-16T12:00:00.000Z');
    await w.observe(seen.instanceId, 'stopped');
    w.fleet.set(skewed, { launchTime: '2026-11-16T20:00:00.000Z', state: 'running' });
    w.fleet.set(seen, { launchTime: '2026-11-16T20:00:00.000Z', state: 'running' });
    w.clock.set('2026-11-16T22:00:00.000Z');

    // Act
    await w.service.reconcile();

    // Assert
    const entries = await w.history.between(WEEK);
    expect(entries.map((e) => [e.instanceId, e.endedBy, e.stoppedAt])).toEqual([
      [seen.instanceId, 'outside', '2026-11-16T12:00:00.000Z'],
      [skewed.instanceId, 'unobserved', '2026-11-16T20:00:00.000Z'],
    ]);
  });
});
