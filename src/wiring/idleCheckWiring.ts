/**
 * The idle check as every runtime builds it: CloudWatch metrics (batched),
 * the consent service that warns and stops, and the settings; plus what the
 * chat core needs for `stop … --when-idle`.
 */
import { loadCloudWatchClient } from '../aws/clients.js';
import { CloudWatchMetrics } from '../aws/cloudWatchMetrics.js';
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { InstanceMetricsSource } from '../ports/instanceMetrics.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { SubscriptionStore } from '../ports/subscriptionStore.js';
import { IdleStopCheck, type IdleStopCommands } from '../services/consent/idleStopCheck.js';
import type { StopConsentService } from '../services/consent/stopConsentService.js';

export interface IdleCheckWiring {
  check: IdleStopCheck;
  commands: IdleStopCommands;
}

export function idleCheckWiring(
  config: Config,
  deps: {
    store: InstanceStore;
    fleet: Fleet;
    consents: StopConsentService;
    subscriptions?: Pick<SubscriptionStore, 'forGroup'>;
    /** Test seam; CloudWatch otherwise. */
    metrics?: InstanceMetricsSource;
    clock: Clock;
    log: Log;
  },
): IdleCheckWiring {
  // The grace period between the warning and the stop is the consented stops' STOP_WARNING.
  const graceSeconds = config.monitor.stopWarningSeconds;
  const check = new IdleStopCheck({
    store: deps.store,
    fleet: deps.fleet,
    metrics: deps.metrics ?? new CloudWatchMetrics(loadCloudWatchClient),
    consents: deps.consents,
    subscriptions: deps.subscriptions,
    clock: deps.clock,
    settings: { regions: config.monitor.regions, thresholds: config.idle.thresholds, graceSeconds },
    log: deps.log,
  });
  return {
    check,
    commands: {
      consents: deps.consents,
      judge: (run, window) => check.judge(run, window),
      defaultWindowSeconds: config.idle.defaultWindowSeconds,
      checkEverySeconds: config.idle.checkEverySeconds,
      graceSeconds,
    },
  };
}
