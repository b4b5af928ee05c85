/**
 * The consent service on the in-memory fakes, wired as the runtimes wire it:
 * the monitor engine (whose state changes cancel consented stops), RunStopper
 * (which carries them out) and the stop scheduler, all on one virtual clock.
 */
import { HOUR } from '../../../src/core/duration.js';
import type { RunRef } from '../../../src/core/instance.js';
import type { StopFiring } from '../../../src/core/stopConsent.js';
import { StopConsentService } from '../../../src/services/consent/stopConsentService.js';
import type { MonitorSettings } from '../../../src/services/monitor/context.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { RunStopper } from '../../../src/services/monitor/stop.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import {
  FakeFleet,
  MemoryInstanceStore,
  MemoryNagScheduler,
  MemoryStopScheduler,
  RecordingNotifier,
  RecordingPublisher,
  VirtualClock,
} from '../../support/fakes.js';

export const LAUNCH = '2026-12-02T08:00:00.000Z';

export function consentWorld(settings: Partial<MonitorSettings> = {}) {
  const fleet = new FakeFleet();
  const clock = new VirtualClock(new Date(LAUNCH));
  const store = new MemoryInstanceStore({ clock: clock.now });
  const stops = new MemoryStopScheduler();
  const audit = new SqliteAuditLog(openDatabase(':memory:'));
  const logLines: { message: string; context: Record<string, unknown> }[] = [];
  const log = {
    debug() {},
    info: (message: string, context?: Record<string, unknown>) =>
      void logLines.push({ message, context: context ?? {} }),
    warn() {},
    error() {},
  };
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
      ...settings,
    },
    sweepObservesStopped: true,
  });
  const stopper = new RunStopper({ monitor, store, fleet, audit, clock: clock.now });
  const consent = new StopConsentService({
    store,
    scheduler: stops,
    stopper,
    audit,
    clock: clock.now,
    log: log as never,
  });

  return {
    fleet,
    clock,
    store,
    stops,
    audit,
    monitor,
    consent,
    logLines,
    /** Launches a monitored instance now and lets the engine see it. */
    async launch(tags: Record<string, string> = {}): Promise<RunRef> {
      const i = fleet.add({
        launchTime: clock.now().toISOString(),
        tags: { Monitor: 'true', Name: 'render-1', ...tags },
      });
      await monitor.handleStateChange({
        region: i.region,
        instanceId: i.instanceId,
        state: 'running',
        time: clock.now().toISOString(),
      });
      return { region: i.region, instanceId: i.instanceId, launchTime: i.launchTime };
    },
    /** Moves the clock to `iso` and fires what fell due, as the scheduler would. */
    async advanceTo(iso: string): Promise<StopFiring[]> {
      clock.advanceTo(iso);
      return stops.fireDue(clock.now(), async (f) => void (await consent.handleFiring(f)));
    },
    /** StopInstances calls that reached the fleet. */
    stopCalls: () => fleet.stats.stopCalls,
  };
}
