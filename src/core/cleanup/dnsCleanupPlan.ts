/**
 * What to change in one Route53 hosted zone after an instance is terminated.
 *
 * Rules, in order of priority:
 * - never delete a record that still serves another host: an A/AAAA record that
 *   also holds other values only loses this instance's value;
 * - A/AAAA records whose only values are the instance's private or public IP are
 *   deleted, whether the `DnsRecords` tag names them or they sit in a scanned zone;
 * - a CNAME named in the tag is deleted (the tag is the owner saying it is the
 *   instance's); other types named in the tag, and alias records, are left alone
 *   with a reason, because nothing ties them to this instance's addresses.
 * Pure: every decision carries a reason that ends up in logs and chat.
 */
import { normalizeRecordName } from './dnsRecordsTag.js';

/** One Route53 record set, reduced to what the rules need. */
export interface DnsRecordSet {
  /** Fully qualified, lower-case, trailing dot. */
  name: string;
  type: string;
  ttl?: number;
  values: string[];
  setIdentifier?: string;
  /** Alias records point at AWS resources (ELB, CloudFront…), never at an instance IP. */
  alias: boolean;
  /** Routing-policy fields (Weight, Region, Failover, HealthCheckId…) the adapter must echo back unchanged. */
  routing?: Record<string, unknown>;
}

export type DnsChange =
  | { kind: 'delete'; zoneId: string; record: DnsRecordSet; reason: string }
  | {
      kind: 'remove-value';
      zoneId: string;
      before: DnsRecordSet;
      after: DnsRecordSet;
      removed: string[];
      reason: string;
    };

/** A record looked at and deliberately left as it is. */
export interface DnsKept {
  zoneId: string;
  name: string;
  type?: string;
  reason: string;
  /** A tagged name that is not in the zone any more: nothing to tell chat about. */
  alreadyGone?: boolean;
}

export interface DnsZonePlan {
  zoneId: string;
  changes: DnsChange[];
  kept: DnsKept[];
}

export interface DnsPlanInput {
  zoneId: string;
  /** Every record set of the zone, as listed just now. */
  records: DnsRecordSet[];
  instance: { instanceId: string; privateIp?: string; publicIp?: string };
  /** Names from the instance's DnsRecords tag that point into this zone. */
  taggedNames: string[];
  /** True for zones listed in config: A/AAAA records holding the instance's IPs are cleaned up there. */
  scanByIp: boolean;
  /**
   * The instance's IPs that something else holds now (a new instance, an Elastic
   * IP still allocated): ip → who. Records pointing at them serve that holder.
   */
  ipsInUse?: Record<string, string>;
}

const ADDRESS_TYPES = new Set(['A', 'AAAA']);

/** `web-1.internal A`, `api.example.com A (eu-west-1)`: how a record reads in chat. */
export function describeRecord(r: Pick<DnsRecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  const name = r.name.endsWith('.') ? r.name.slice(0, -1) : r.name;
  return `${name} ${r.type}${r.setIdentifier ? ` (${r.setIdentifier})` : ''}`;
}

/** One-line human form of a change, e.g. `removed web-1.internal A` (`would remove …` for a dry run). */
export function describeChange(change: DnsChange, dryRun = false): string {
  const verb = dryRun ? 'would remove' : 'removed';
  if (change.kind === 'delete') return `${verb} ${describeRecord(change.record)}`;
  return `${verb} ${change.removed.join(', ')} from ${describeRecord(change.before)}`;
}

/** Decides the changes for one zone. */
export function planZoneCleanup(input: DnsPlanInput): DnsZonePlan {
  const { zoneId, instance } = input;
  const inUse = input.ipsInUse ?? {};
  const own = [instance.privateIp, instance.publicIp].filter((ip): ip is string => Boolean(ip));
  const ips = new Set(own.filter((ip) => !(ip in inUse)));
  const ipText = own.join(' / ');
  const tagged = new Set(input.taggedNames.map(normalizeRecordName));
  const changes: DnsChange[] = [];
  const kept: DnsKept[] = [];
  const namesSeen = new Set<string>();

  for (const record of input.records) {
    const name = normalizeRecordName(record.name);
    const isTagged = tagged.has(name);
    if (isTagged) namesSeen.add(name);
    const label = describeRecord(record);

    if (ADDRESS_TYPES.has(record.type) && !record.alias) {
      const mine = record.values.filter((v) => ips.has(v));
      const others = record.values.filter((v) => !ips.has(v));
      if (mine.length === 0) {
        const reused = record.values.filter((v) => v in inUse);
        if (reused.length > 0 && (isTagged || input.scanByIp)) {
          kept.push({
            zoneId,
            name,
            type: record.type,
            reason: `${label} points at ${reused.map((ip) => `${ip}, now held by ${inUse[ip]}`).join('; ')}; left alone`,
          });
          continue;
        }
        if (!isTagged) continue;
        kept.push({
          zoneId,
          name,
          type: record.type,
          reason:
            own.length === 0
              ? `${label} is named in DnsRecords, but ${instance.instanceId}'s IPs are unknown, so it cannot be told apart from another host's record; left alone`
              : `${label} points at ${others.join(', ')}, not at ${instance.instanceId} (${ipText}); left alone`,
        });
        continue;
      }
      if (!isTagged && !input.scanByIp) continue;
      if (others.length === 0) {
        changes.push({
          kind: 'delete',
          zoneId,
          record,
          reason: `${label} points only at ${instance.instanceId} (${mine.join(', ')})${isTagged ? ' and is named in its DnsRecords tag' : ''}`,
        });
      } else {
        changes.push({
          kind: 'remove-value',
          zoneId,
          before: record,
          after: { ...record, values: others },
          removed: mine,
          reason: `${label} still serves ${others.join(', ')}, so only ${instance.instanceId}'s ${mine.join(', ')} is removed`,
        });
      }
      continue;
    }

    if (!isTagged) continue;
    if (record.alias) {
      kept.push({
        zoneId,
        name,
        type: record.type,
        reason: `${label} is an alias to an AWS resource, not to the instance; left alone`,
      });
    } else if (record.type === 'CNAME') {
      changes.push({
        kind: 'delete',
        zoneId,
        record,
        reason: `${label} is named in ${instance.instanceId}'s DnsRecords tag`,
      });
    } else {
      kept.push({
        zoneId,
        name,
        type: record.type,
        reason: `${label}: only A, AAAA and CNAME records are removed by the DnsRecords tag; left alone`,
      });
    }
  }

  for (const name of tagged) {
    if (!namesSeen.has(name)) {
      kept.push({
        zoneId,
        name,
        reason: `${name.slice(0, -1)} is not in zone ${zoneId} (already removed)`,
        alreadyGone: true,
      });
    }
  }
  return { zoneId, changes, kept };
}
