/**
 * The idle evidence of the nag ("CPU 0.4% avg over the last 2h · network
 * 12 KB"), read from CloudWatch in batches and kept in memory for a short
 * while: the sweep reads every instance about to be nagged in one go, the nag
 * takes it from here. Nothing is written to the store, so a sweep that sees
 * nothing new still writes nothing. A process (or Lambda container) that
 * missed the sweep reads the one instance it nags about.
 *
 * Evidence is a courtesy: a CloudWatch failure is logged and the nag goes out
 * without the line.
 */
import {
  evidenceWindowSeconds,
  type IdleEvidence,
  type InstanceMetricSeries,
  summarizeEvidence,
} from '../../core/idle.js';
import { instanceKeyString } from '../../core/instance.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { IdleEvidenceLookup, InstanceMetricsSource } from '../../ports/instanceMetrics.js';

/** One run to read evidence for. */
export interface EvidenceTarget {
  region: string;
  instanceId: string;
  launchTime: string;
  detailedMonitoring?: boolean;
}

export interface IdleEvidenceOptions {
  /** IDLE_EVIDENCE_WINDOW. */
  windowSeconds: number;
  /** How long a read stays fresh; EC2's basic metrics change every 5 minutes. */
  ttlSeconds?: number;
  clock: Clock;
  log?: Log;
}

interface Cached {
  series: InstanceMetricSeries;
  readAt: number;
}

export class IdleEvidenceReader implements IdleEvidenceLookup {
  private readonly cache = new Map<string, Cached>();
  private readonly ttlMs: number;

  constructor(
    private readonly source: InstanceMetricsSource,
    private readonly opts: IdleEvidenceOptions,
  ) {
    this.ttlMs = (opts.ttlSeconds ?? 300) * 1000;
  }

  /** How far ahead the sweep reads: a run nagged within this finds its evidence still fresh. */
  get horizonSeconds(): number {
    return this.ttlMs / 1000;
  }

  /**
   * Reads every target not already fresh in the cache, one batched read per
   * region. Never throws: a failure leaves those targets to be read at their nag.
   */
  async prefetch(targets: EvidenceTarget[]): Promise<void> {
    const now = this.opts.clock();
    this.forgetStale(now);
    const byRegion = new Map<string, EvidenceTarget[]>();
    for (const t of targets) {
      if (this.fresh(t, now)) continue;
      byRegion.set(t.region, [...(byRegion.get(t.region) ?? []), t]);
    }
    for (const [region, list] of byRegion) {
      try {
        await this.read(region, list, now);
      } catch (err) {
        (this.opts.log ?? silentLog).warn('idle evidence not read; nags go without it', {
          region,
          instances: list.length,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  /** The evidence of one run at `now`: cached when fresh, else read now; undefined when CloudWatch fails. */
  async evidence(target: EvidenceTarget): Promise<IdleEvidence | undefined> {
    const now = this.opts.clock();
    let cached = this.fresh(target, now);
    if (!cached) {
      try {
        await this.read(target.region, [target], now);
      } catch (err) {
        (this.opts.log ?? silentLog).warn('idle evidence not read; the nag goes without it', {
          instance: instanceKeyString(target),
          error: err instanceof Error ? err.message : String(err),
        });
        return undefined;
      }
      cached = this.fresh(target, now);
    }
    if (!cached) return undefined;
    const window = evidenceWindowSeconds(target.launchTime, this.opts.windowSeconds, now);
    return summarizeEvidence(cached.series, window, now);
  }

  private async read(region: string, targets: EvidenceTarget[], now: Date): Promise<void> {
    const read = await this.source.read(
      region,
      targets.map((t) => ({ instanceId: t.instanceId, detailedMonitoring: t.detailedMonitoring })),
      { windowSeconds: this.opts.windowSeconds, now },
    );
    for (const t of targets) {
      const series = read.get(t.instanceId);
      if (series) this.cache.set(instanceKeyString(t), { series, readAt: now.getTime() });
    }
  }

  private fresh(target: EvidenceTarget, now: Date): Cached | undefined {
    const c = this.cache.get(instanceKeyString(target));
    return c && now.getTime() - c.readAt < this.ttlMs && now.getTime() >= c.readAt ? c : undefined;
  }

  private forgetStale(now: Date): void {
    for (const [key, c] of this.cache) if (!(now.getTime() - c.readAt < this.ttlMs)) this.cache.delete(key);
  }
}
