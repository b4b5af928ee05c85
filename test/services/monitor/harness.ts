/** Builds a MonitorService on the in-memory fakes with a virtual clock. */
import type { Log } from '../../../src/log.js';
import type { MonitorDeps, MonitorSettings } from '../../../src/services/monitor/context.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import {
  FakeFleet,
  MemoryInstanceStore,
  MemoryNagScheduler,
  RecordingNotifier,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';
import { testMonitorSettings } from '../../support/monitorSettings.js';

export const LAUNCH = '2026-03-02T08:00:00.000Z';

export function engine(settings: Partial<MonitorSettings> = {}, log?: Log, more: Partial<MonitorDeps> = {}) {
  const fleet = new FakeFleet();
  const clock = new VirtualClock(new Date(LAUNCH));
  // Tombstones expire on the test's time, as they do on the real stores' clock.
  const store = new MemoryInstanceStore({ clock: clock.now });
  const scheduler = new MemoryNagScheduler();
  const notifier = new RecordingNotifier();
  const events = new RecordingPublisher();
  const service = new MonitorService({
    fleet,
    store,
    scheduler,
    notifier,
    events,
    clock: clock.now,
    settings: testMonitorSettings({ accountId: '123456789012', ...settings }),
    sweepObservesStopped: true,
    log,
    ...more,
  });
  return { fleet, store, scheduler, notifier, events, clock, service };
}

export type Engine = ReturnType<typeof engine>;

/** Launches a tagged fake instance and delivers its `running` event. */
export async function launch(e: Engine, tags: Record<string, string> = { Monitor: 'true', Threshold: '2' }) {
  const instance = e.fleet.add({ launchTime: e.clock.now().toISOString(), tags });
  await e.service.handleStateChange({
    region: instance.region,
    instanceId: instance.instanceId,
    state: 'running',
    time: e.clock.now().toISOString(),
  });
  return instance;
}

/** Fires the instance's current schedule, as EventBridge Scheduler would. */
export async function fire(e: Engine, key: { region: string; instanceId: string }) {
  const due = await e.scheduler.get(key);
  if (!due) throw new Error(`no schedule for ${key.instanceId}`);
  e.clock.set(due.dueAt);
  await e.service.handleNagDue(due);
  return due;
}
