/**
 * Cleanup after termination: runs the Route53, Cloud Map and webhook hooks for
 * a terminated instance's record (which still carries the IPs and tags captured
 * while it ran), records the outcome and reports it to the group's chat
 * channels as an `instance.cleaned-up` domain event.
 *
 * Every hook is idempotent and retried with backoff; a failing hook never stops
 * the others, and its failure is part of the report. A termination event that
 * arrives again (SNS delivers at least once) for a run already cleaned up
 * successfully is not acted on twice. Dry-run changes nothing, records nothing
 * and publishes nothing: it returns what would be removed.
 */
import { cleanupSummary, type HookOutcome, worthReporting } from '../../core/cleanup/cleanupReport.js';
import type { CloudMapServiceRef } from '../../core/cleanup/cloudMapServiceTag.js';
import type { InstanceTerminatedEvent } from '../../core/events.js';
import type { InstanceRecord } from '../../core/instance.js';
import type { Sleep } from '../../core/retry.js';
import { withRetry } from '../../core/retry.js';
import type { Log } from '../../log.js';
import type { AddressOwners } from '../../ports/addressOwners.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { CleanupOutcome, CleanupOutcomeStore } from '../../ports/cleanupOutcomeStore.js';
import type { Clock } from '../../ports/clock.js';
import type { DnsZones } from '../../ports/dnsZones.js';
import type { DomainEventPublisher } from '../../ports/notifier.js';
import type { ServiceRegistry } from '../../ports/serviceRegistry.js';
import { runCloudMapHook } from './cloudMapHook.js';
import { type HookContext, runRoute53Hook } from './route53Hook.js';
import { deliveryId, displayUrl, type WebhookSender, webhookPayload } from './webhookHook.js';

export interface DecommissionSettings {
  enabled: boolean;
  dryRun: boolean;
  hostedZoneIds: string[];
  cloudMapServices: CloudMapServiceRef[];
  webhookUrls: string[];
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

export interface DecommissionDeps {
  dns: DnsZones;
  /** Who holds the instance's IPs now; DNS pointing at a reused address is left alone. */
  addresses: AddressOwners;
  registry: ServiceRegistry;
  /** Absent when no webhook secret is configured: webhook URLs then report a failure instead of sending unsigned. */
  webhook?: WebhookSender;
  outcomes: CleanupOutcomeStore;
  /** Optional: each real (not dry-run) cleanup also lands in the audit trail. */
  audit?: AuditLog;
  events: DomainEventPublisher;
  clock: Clock;
  sleep: Sleep;
  settings: DecommissionSettings;
  log?: Log;
  /** 0..1 for backoff jitter; tests pass a constant. */
  random?: () => number;
}

export interface DecommissionResult {
  instanceId: string;
  region: string;
  dryRun: boolean;
  /** Set when nothing ran, with the reason (disabled, already cleaned up). */
  skipped?: string;
  ok: boolean;
  outcomes: HookOutcome[];
  summary: string;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class DecommissionService {
  constructor(private readonly deps: DecommissionDeps) {}

  /** Entry point for the `instance.terminated` domain event (event bus or SNS). */
  async onTerminated(event: InstanceTerminatedEvent): Promise<DecommissionResult> {
    const { record } = event;
    if (!this.deps.settings.enabled) {
      return this.skip(record, 'cleanup is disabled (CLEANUP_ENABLED=false)');
    }
    const previous = await this.deps.outcomes.get(record);
    if (previous?.ok) {
      return this.skip(record, `already cleaned up at ${previous.at}: ${previous.summary}`);
    }
    return this.decommission(record, { terminatedAt: event.at });
  }

  /** Runs every hook for `record`. Used by the event path and by `lightsout decommission`. */
  async decommission(
    record: InstanceRecord,
    opts: { dryRun?: boolean; terminatedAt?: string; actor?: string } = {},
  ): Promise<DecommissionResult> {
    const { settings, log } = this.deps;
    const dryRun = opts.dryRun ?? settings.dryRun;
    const ctx: HookContext = {
      record,
      dryRun,
      retry: { ...settings.retry, sleep: this.deps.sleep, random: this.deps.random },
      onRetry: (what, err, attempt) =>
        log?.warn('cleanup hook failed; retrying', {
          instanceId: record.instanceId,
          what,
          attempt,
          error: errorText(err),
        }),
    };
    const terminatedAt = opts.terminatedAt ?? this.deps.clock().toISOString();

    const outcomes = [
      ...(await this.guard('route53', () =>
        runRoute53Hook(this.deps.dns, this.deps.addresses, ctx, settings.hostedZoneIds),
      )),
      ...(await this.guard('cloudmap', () =>
        runCloudMapHook(this.deps.registry, ctx, settings.cloudMapServices),
      )),
      ...(await this.guard('webhook', () => this.runWebhooks(ctx, terminatedAt))),
    ];
    const ok = outcomes.every((o) => o.ok);
    const summary = cleanupSummary(record, outcomes, dryRun);
    const result: DecommissionResult = {
      instanceId: record.instanceId,
      region: record.region,
      dryRun,
      ok,
      outcomes,
      summary,
    };
    log?.info(dryRun ? 'cleanup dry run' : 'cleanup finished', {
      instanceId: record.instanceId,
      ok,
      outcomes,
    });
    if (dryRun) return result;

    const at = this.deps.clock().toISOString();
    const stored: CleanupOutcome = {
      region: record.region,
      instanceId: record.instanceId,
      launchTime: record.launchTime,
      name: record.name,
      group: record.group,
      at,
      ok,
      outcomes,
      summary,
    };
    try {
      await this.deps.outcomes.put(stored);
    } catch (err) {
      // The cleanup itself happened; losing the record only means a redelivery re-runs idempotent hooks.
      log?.error('could not record the cleanup outcome', {
        instanceId: record.instanceId,
        error: errorText(err),
      });
    }
    await this.deps.audit
      ?.record({
        at,
        actor: opts.actor ?? 'lightsout:cleanup',
        action: 'decommission',
        target: `${record.region}/${record.instanceId}`,
        result: ok ? 'ok' : 'error',
        detail: summary,
      })
      .catch((err: unknown) =>
        log?.error('could not write the cleanup to the audit log', {
          instanceId: record.instanceId,
          error: errorText(err),
        }),
      );
    if (worthReporting(outcomes)) {
      try {
        await this.deps.events.publish({
          type: 'instance.cleaned-up',
          record,
          outcomes: outcomes
            .filter((o) => o.changed || !o.ok)
            .map(({ hook, ok: hookOk, summary: line }) => ({ hook, ok: hookOk, summary: line })),
          at,
        });
      } catch (err) {
        log?.error('could not report the cleanup to chat', {
          instanceId: record.instanceId,
          error: errorText(err),
        });
      }
    }
    return result;
  }

  private async runWebhooks(ctx: HookContext, terminatedAt: string): Promise<HookOutcome[]> {
    const urls = this.deps.settings.webhookUrls;
    const many = urls.length > 1;
    const outcomes: HookOutcome[] = [];
    for (const url of urls) {
      const shown = displayUrl(url);
      const label = many ? `webhook ${new URL(url).host}` : 'webhook';
      if (ctx.dryRun) {
        outcomes.push({ hook: 'webhook', ok: true, changed: true, summary: `would POST to ${shown}` });
        continue;
      }
      const sender = this.deps.webhook;
      if (!sender) {
        outcomes.push({
          hook: 'webhook',
          ok: false,
          changed: false,
          summary: `${label} not sent: no webhook secret configured`,
        });
        continue;
      }
      try {
        const payload = webhookPayload(ctx.record, terminatedAt);
        const delivery = deliveryId(ctx.record, url);
        await withRetry(
          ctx.retry,
          () => sender.post(url, payload, delivery),
          (err, attempt) => ctx.onRetry?.(`webhook ${shown}`, err, attempt),
        );
        outcomes.push({
          hook: 'webhook',
          ok: true,
          changed: true,
          summary: `${label} ok`,
          reason: `POST ${shown}`,
        });
      } catch (err) {
        const why = errorText(err).replace(`webhook ${shown} `, '');
        outcomes.push({ hook: 'webhook', ok: false, changed: false, summary: `${label} failed: ${why}` });
      }
    }
    return outcomes;
  }

  /** A hook that throws unexpectedly becomes a failed outcome instead of stopping the others. */
  private async guard(hook: HookOutcome['hook'], run: () => Promise<HookOutcome[]>): Promise<HookOutcome[]> {
    try {
      return await run();
    } catch (err) {
      return [{ hook, ok: false, changed: false, summary: `${hook} cleanup failed: ${errorText(err)}` }];
    }
  }

  private skip(record: InstanceRecord, reason: string): DecommissionResult {
    this.deps.log?.info('cleanup skipped', { instanceId: record.instanceId, reason });
    return {
      instanceId: record.instanceId,
      region: record.region,
      dryRun: false,
      skipped: reason,
      ok: true,
      outcomes: [],
      summary: `${record.instanceId}: ${reason}`,
    };
  }
}
