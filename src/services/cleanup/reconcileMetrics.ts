/**
 * Prometheus metrics of the Cloud Map reconciler, all labelled by `service_id`.
 * A registry of its own (not prom-client's global one) so several reconcilers
 * or tests in one process never share counters.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { CloudMapReconcileReport } from './cloudMapReconciler.js';

export class ReconcileMetrics {
  readonly registry = new Registry();
  private readonly up: Gauge<'service_id'>;
  private readonly lastSuccess: Gauge<'service_id'>;
  private readonly deregistered: Counter<'service_id'>;
  private readonly skipped: Counter<'service_id'>;
  private readonly errors: Counter<'service_id'>;

  constructor(serviceIds: string[]) {
    const registers = [this.registry];
    const labelNames = ['service_id'] as const;
    this.up = new Gauge({
      name: 'lightsout_cloudmap_up',
      help: '1 when the last reconcile of the service succeeded, 0 when it failed',
      labelNames,
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'lightsout_cloudmap_last_success_timestamp_seconds',
      help: 'Unix time of the last successful reconcile of the service',
      labelNames,
      registers,
    });
    this.deregistered = new Counter({
      name: 'lightsout_cloudmap_deregistered_total',
      help: 'Service instances deregistered because their EC2 instance is gone or has another IP',
      labelNames,
      registers,
    });
    this.skipped = new Counter({
      name: 'lightsout_cloudmap_skipped_total',
      help: 'Service instances left alone because they have no AWS_INSTANCE_IPV4 attribute',
      labelNames,
      registers,
    });
    this.errors = new Counter({
      name: 'lightsout_cloudmap_errors_total',
      help: 'Failed reconciles and failed deregistrations',
      labelNames,
      registers,
    });
    // Start every series at 0 so dashboards and rate() see them before the first event.
    for (const id of serviceIds) {
      const labels = { service_id: id };
      this.up.set(labels, 0);
      this.deregistered.inc(labels, 0);
      this.skipped.inc(labels, 0);
      this.errors.inc(labels, 0);
    }
  }

  observe(report: CloudMapReconcileReport, now: Date): void {
    const labels = { service_id: report.serviceId };
    this.up.set(labels, report.ok ? 1 : 0);
    if (report.ok) this.lastSuccess.set(labels, Math.floor(now.getTime() / 1000));
    if (!report.dryRun) this.deregistered.inc(labels, report.deregistered.length);
    this.skipped.inc(labels, report.skipped.length);
    this.errors.inc(labels, report.failed.length + (report.error ? 1 : 0));
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
