/**
 * What the monitoring use cases are built from: ports, a clock, the monitor
 * settings and a logger. Each runtime (Lambda, single process, CLI) fills this
 * in once; the use cases never read the environment or the system clock.
 */
import type { MonitorConfig } from '../../config/monitor.js';
import type { PolicyDefaults } from '../../core/tagPolicy.js';
import type { Log } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet } from '../../ports/fleet.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { NagScheduler } from '../../ports/nagScheduler.js';
import type { DomainEventPublisher, Notifier } from '../../ports/notifier.js';
import type { StopScheduler } from '../../ports/stopScheduler.js';
import type { Pricer } from '../pricing/instancePricer.js';
import type { IdleEvidenceReader } from './idleEvidence.js';

export type MonitorSettings = Pick<
  MonitorConfig,
  | 'mode'
  | 'defaultGroup'
  | 'defaultThresholdSeconds'
  | 'defaultRenotifySeconds'
  | 'regions'
  | 'tombstoneTtlSeconds'
  | 'accountId'
> &
  /** Absent: DEFAULT_MAX_EXTENSION_SECONDS, the owner and HourlyCost tag keys, and the consent settings' defaults. */
  Partial<
    Pick<
      MonitorConfig,
      | 'maxExtensionSeconds'
      | 'ownerTag'
      | 'hourlyCostTag'
      | 'autoStopTag'
      | 'stopTimeZone'
      | 'groupTimeZones'
      | 'stopWarningSeconds'
    >
  >;

export interface MonitorDeps {
  fleet: Fleet;
  store: InstanceStore;
  scheduler: NagScheduler;
  /**
   * Consented stops (src/services/consent): cancelled when the run stops or
   * is replaced, and scheduled when the AutoStop tag consents for a new run.
   * Absent where nothing schedules stops (the CLI).
   */
  stopScheduler?: StopScheduler;
  notifier: Notifier;
  /**
   * Told of each domain event after the record write that put it into the
   * outbox. Delivery is the outbox's job: in the single process this wakes its
   * deliverer, on Lambda the table's stream delivers and this does nothing.
   */
  events: DomainEventPublisher;
  clock: Clock;
  settings: MonitorSettings;
  log?: Log;
  /**
   * Prices runs when they are first seen and when a nag finds the price past
   * its lifetime. Absent: records keep whatever price they have (tests, the CLI's read-only paths).
   */
  pricer?: Pricer;
  /**
   * Whether the reconcile sweep also looks up stopped instances to notice a
   * termination while stopped. True in the single process, which has no EC2
   * events; Lambda mode gets terminations from EventBridge.
   */
  sweepObservesStopped?: boolean;
  /**
   * Reads the nag's idle evidence from CloudWatch. The sweep prefetches the
   * runs about to be nagged (batched); a nag reads its own run on a miss.
   * Absent: nags go without the evidence line.
   */
  idleEvidence?: IdleEvidenceReader;
}

export const policyDefaults = (s: MonitorSettings): PolicyDefaults => ({
  autoStopTag: s.autoStopTag,
  mode: s.mode,
  defaultGroup: s.defaultGroup,
  defaultThresholdSeconds: s.defaultThresholdSeconds,
  defaultRenotifySeconds: s.defaultRenotifySeconds,
  ownerTag: s.ownerTag,
  hourlyCostTag: s.hourlyCostTag,
});

/**
 * The server-side filter for "instances this engine may monitor". In opt-in
 * mode only instances carrying a Monitor tag can qualify; its value is then
 * checked case-insensitively here, because EC2 filters match values exactly.
 */
export const monitoredTagKeys = (s: MonitorSettings): string[] | undefined =>
  s.mode === 'opt-in' ? ['Monitor'] : undefined;

/** How many conditional-write conflicts a use case absorbs by re-reading before giving up. */
export const CONFLICT_RETRIES = 4;
