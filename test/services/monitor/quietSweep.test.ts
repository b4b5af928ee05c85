import { describe, expect, it } from 'vitest';
import type { Log } from '../../../src/log.js';
import type { InstanceStore } from '../../../src/ports/instanceStore.js';
import { engine, launch } from './harness.js';

/** Counts store writes, so a test can say "nothing was written". */
function countWrites(store: InstanceStore): { count: () => number } {
  let writes = 0;
  const put = store.put.bind(store);
  const del = store.delete.bind(store);
  store.put = (record, opts) => {
    writes += 1;
    return put(record, opts);
  };
  store.delete = (key) => {
    writes += 1;
    return del(key);
  };
  return { count: () => writes };
}

function recordingLog() {
  const lines: { level: string; message: string; data?: unknown }[] = [];
  const at =
    (level: string) =>
    (message: unknown, ...data: unknown[]): void => {
      lines.push({ level, message: String(message), data });
    };
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { lines, log };
}

describe('a sweep that observes nothing new', () => {
  it('writes nothing, emits nothing and logs nothing at info for a stopped instance, sweep after sweep', async () => {
    const { lines, log } = recordingLog();
    const e = engine({}, log);
    const i = await launch(e);
    e.clock.advance(21);
    e.fleet.set(i, { state: 'stopped' });
    await e.service.reconcile(); // sees the stop: one write, one event
    const afterStop = await e.store.get(i);
    const writes = countWrites(e.store);
    const eventsBefore = e.events.events.length;
    lines.length = 0;

    const reports = [];
    for (let sweep = 0; sweep < 3; sweep++) {
      e.clock.advance(10);
      reports.push(await e.service.reconcile());
    }

    expect(writes.count()).toBe(0);
    expect(e.events.events.length).toBe(eventsBefore);
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(reports.map((r) => [r.created, r.rescheduled, r.removed, r.actions])).toEqual([
      [[], [], [], []],
      [[], [], [], []],
      [[], [], [], []],
    ]);
    expect(await e.store.get(i)).toEqual(afterStop);
  });

  it('keeps the runtime of a stopped run fixed at its stop when the termination is seen later', async () => {
    const e = engine();
    const i = await launch(e);
    e.clock.advance(21);
    e.fleet.set(i, { state: 'stopped' });
    await e.service.reconcile();
    for (let sweep = 0; sweep < 3; sweep++) {
      e.clock.advance(10);
      await e.service.reconcile();
    }
    e.clock.advance(3600);
    e.fleet.remove(i);

    await e.service.reconcile();

    expect(
      e.events.events.map((ev) => [ev.type, 'runtimeSeconds' in ev ? ev.runtimeSeconds : undefined]),
    ).toEqual([
      ['instance.stopped', 21],
      ['instance.terminated', 21],
    ]);
  });

  it('writes nothing for a running instance whose schedule and record agree', async () => {
    const { lines, log } = recordingLog();
    const e = engine({}, log);
    await launch(e);
    const writes = countWrites(e.store);
    const scheduled = e.scheduler.scheduleCalls;
    lines.length = 0;

    e.clock.advance(60);
    await e.service.reconcile();

    expect(writes.count()).toBe(0);
    expect(e.scheduler.scheduleCalls).toBe(scheduled);
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});
