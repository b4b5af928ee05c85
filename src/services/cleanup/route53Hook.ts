/**
 * The Route53 cleanup hook: first find out whether the instance's IPs now
 * belong to another host (reused private IP, Elastic IP still allocated), then
 * for each zone named in the `DnsRecords` tag or in config, list the zone, plan
 * with the pure rules (`planZoneCleanup`) and apply.
 * A zone is retried as a whole (list, plan, apply), so a retry after a partial
 * success or a record changed under us re-plans from what is really there.
 */
import type { HookOutcome } from '../../core/cleanup/cleanupReport.js';
import { type DnsChange, describeChange, planZoneCleanup } from '../../core/cleanup/dnsCleanupPlan.js';
import { DNS_RECORDS_TAG, parseDnsRecordsTag } from '../../core/cleanup/dnsRecordsTag.js';
import type { InstanceRecord } from '../../core/instance.js';
import { type RetryPolicy, withRetry } from '../../core/retry.js';
import type { AddressOwners } from '../../ports/addressOwners.js';
import type { DnsZones } from '../../ports/dnsZones.js';

export interface HookContext {
  record: InstanceRecord;
  dryRun: boolean;
  retry: RetryPolicy;
  /** Called before each retry, for logs. */
  onRetry?: (what: string, err: unknown, attempt: number) => void;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runRoute53Hook(
  dns: DnsZones,
  addresses: AddressOwners,
  ctx: HookContext,
  configuredZones: string[],
): Promise<HookOutcome[]> {
  const { record, dryRun } = ctx;
  const outcomes: HookOutcome[] = [];
  const tag = parseDnsRecordsTag(record.tags[DNS_RECORDS_TAG]);
  for (const warning of tag.warnings) {
    outcomes.push({ hook: 'route53', ok: false, changed: false, summary: warning });
  }
  const zones = [...new Set([...tag.refs.map((r) => r.zoneId), ...configuredZones])];
  if (zones.length === 0) return outcomes;

  // Fail safe: without knowing whether the IPs were handed to another host, change no DNS at all.
  let ipsInUse: Record<string, string>;
  try {
    const own = [record.privateIp, record.publicIp].filter((ip): ip is string => Boolean(ip));
    ({ value: ipsInUse } = await withRetry(
      ctx.retry,
      () => addresses.holders(record.region, own, record.instanceId),
      (err, attempt) => ctx.onRetry?.('IP reuse check', err, attempt),
    ));
  } catch (err) {
    outcomes.push({
      hook: 'route53',
      ok: false,
      changed: false,
      summary: `DNS cleanup skipped: could not check whether ${record.instanceId}'s IPs now belong to another host: ${errorText(err)}`,
    });
    return outcomes;
  }

  for (const zoneId of zones) {
    const taggedNames = tag.refs.filter((r) => r.zoneId === zoneId).map((r) => r.name);
    const zoneOutcomes: HookOutcome[] = [];
    try {
      await withRetry(
        ctx.retry,
        async () => {
          const records = await dns.listRecords(zoneId);
          const plan = planZoneCleanup({
            zoneId,
            records,
            instance: record,
            taggedNames,
            scanByIp: configuredZones.includes(zoneId),
            ipsInUse,
          });
          for (const kept of plan.kept) {
            // A retry re-plans the zone; say each thing once.
            if (zoneOutcomes.some((o) => o.reason === kept.reason)) continue;
            // A record deliberately left alone is worth telling the channel; one already gone is not.
            zoneOutcomes.push({
              hook: 'route53',
              ok: true,
              changed: !kept.alreadyGone,
              summary: kept.reason,
              reason: kept.reason,
            });
          }
          for (const change of plan.changes) {
            if (!dryRun) await apply(dns, change);
            zoneOutcomes.push({
              hook: 'route53',
              ok: true,
              changed: true,
              summary: describeChange(change, dryRun),
              reason: change.reason,
            });
          }
        },
        (err, attempt) => ctx.onRetry?.(`Route53 zone ${zoneId}`, err, attempt),
      );
    } catch (err) {
      zoneOutcomes.push({
        hook: 'route53',
        ok: false,
        changed: false,
        summary: `DNS cleanup in ${zoneId} failed: ${errorText(err)}`,
      });
    }
    outcomes.push(...zoneOutcomes);
  }
  return outcomes;
}

function apply(dns: DnsZones, change: DnsChange): Promise<void> {
  return change.kind === 'delete'
    ? dns.deleteRecord(change.zoneId, change.record)
    : dns.replaceRecord(change.zoneId, change.before, change.after);
}
