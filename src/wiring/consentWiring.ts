/**
 * The consent service as every runtime builds it: over the monitor engine's
 * store and stop scheduler, with the one stop operation (RunStopper) that
 * every Stop goes through, so a consented stop is claimed, audited and
 * recorded exactly like a click.
 */
import type { Log } from '../log.js';
import type { AuditLog } from '../ports/auditLog.js';
import type { StopScheduler } from '../ports/stopScheduler.js';
import { StopConsentService } from '../services/consent/stopConsentService.js';
import type { MonitorApi } from '../services/monitor/api.js';
import type { MonitorDeps } from '../services/monitor/context.js';
import { RunStopper } from '../services/monitor/stop.js';

export function consentService(
  monitor: Pick<MonitorApi, 'stopRequested'>,
  deps: Pick<MonitorDeps, 'store' | 'fleet' | 'clock' | 'settings'> & { stopScheduler: StopScheduler },
  audit: AuditLog,
  log: Log,
): StopConsentService {
  const stopper = new RunStopper({
    monitor,
    store: deps.store,
    fleet: deps.fleet,
    audit,
    clock: deps.clock,
    log,
  });
  return new StopConsentService({
    store: deps.store,
    scheduler: deps.stopScheduler,
    stopper,
    audit,
    clock: deps.clock,
    fleet: deps.fleet,
    warningSeconds: deps.settings.stopWarningSeconds,
    log,
  });
}
