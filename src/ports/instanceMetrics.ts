import type { IdleEvidence, InstanceMetricSeries } from '../core/idle.js';

/** An instance to read, and whether it publishes every minute (detailed monitoring) or every 5. */
export interface MetricsTarget {
  instanceId: string;
  detailedMonitoring?: boolean;
}

/**
 * CloudWatch, as the idle judge needs it. Adapters batch: a read of many
 * instances is a few calls, never one per instance, and translate SDK errors
 * into LightsOutError subclasses.
 */
export interface InstanceMetricsSource {
  /**
   * The series of every target over the last `windowSeconds` before `now`
   * (CPU, network, and GPU where the CloudWatch agent reports one). Every
   * target gets an entry; an instance CloudWatch has nothing for gets empty series.
   */
  read(
    region: string,
    targets: MetricsTarget[],
    window: { windowSeconds: number; now: Date },
  ): Promise<Map<string, InstanceMetricSeries>>;
}

/** A run's recent CloudWatch figures for people to read (the nag's and `status`'s evidence line). */
export interface IdleEvidenceLookup {
  /** Undefined when CloudWatch cannot be read: evidence is a courtesy, never a blocker. */
  evidence(run: {
    region: string;
    instanceId: string;
    launchTime: string;
    detailedMonitoring?: boolean;
  }): Promise<IdleEvidence | undefined>;
}
