/**
 * Route53 records for the cleanup hooks. Listing follows every page
 * (ListResourceRecordSets returns at most 300 record sets per call). Changes go
 * one record set per ChangeResourceRecordSets call so one stale record cannot
 * fail the others, and each is idempotent: deleting a record that is already
 * gone succeeds. Removing one value from a shared record is a DELETE of the
 * exact old set plus a CREATE of the new one in a single batch: Route53 applies
 * both or neither, and rejects the DELETE if another host changed the record
 * meanwhile, so we never overwrite a value someone just added.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { DnsRecordSet } from '../core/cleanup/dnsCleanupPlan.js';
import { describeRecord } from '../core/cleanup/dnsCleanupPlan.js';
import { normalizeRecordName } from '../core/cleanup/dnsRecordsTag.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { DnsZones } from '../ports/dnsZones.js';
import { awsErrorCode, translateAwsError } from './errors.js';

/** Fields of a record set that are not name/type/TTL/values and must be echoed back on DELETE. */
const ROUTING_FIELDS = [
  'SetIdentifier',
  'Weight',
  'Region',
  'GeoLocation',
  'Failover',
  'MultiValueAnswer',
  'HealthCheckId',
  'TrafficPolicyInstanceId',
  'CidrRoutingConfig',
  'GeoProximityLocation',
  'AliasTarget',
] as const;

export class Route53Records implements DnsZones {
  /** Calls made, for the benchmark and tests that check paging. */
  readonly stats = { listCalls: 0, changeCalls: 0 };

  /** `pageSize` exists so tests can exercise paging on a small zone; Route53's maximum is 300. */
  constructor(
    /** The Route53 client, or its loader (`loadRoute53Client` from `./clients.js`). */
    private readonly client: Route53Client | (() => Promise<Route53Client>),
    private readonly pageSize = 300,
  ) {}

  async listRecords(zoneId: string): Promise<DnsRecordSet[]> {
    const out: DnsRecordSet[] = [];
    let start: { name?: string; type?: RRType; id?: string } = {};
    do {
      this.stats.listCalls++;
      const page = await this.call(`ListResourceRecordSets ${zoneId}`, zoneId, () =>
        this.sdk().then((c) =>
          c.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: zoneId,
              MaxItems: this.pageSize,
              StartRecordName: start.name,
              StartRecordType: start.type,
              StartRecordIdentifier: start.id,
            }),
          ),
        ),
      );
      out.push(...(page.ResourceRecordSets ?? []).map(fromSdk));
      start = page.IsTruncated
        ? { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier }
        : {};
    } while (start.name);
    return out;
  }

  async deleteRecord(zoneId: string, record: DnsRecordSet): Promise<void> {
    try {
      await this.change(zoneId, [{ Action: 'DELETE', ResourceRecordSet: toSdk(record) }], record);
    } catch (err) {
      if (isAlreadyGone(err)) return;
      throw err;
    }
  }

  async replaceRecord(zoneId: string, before: DnsRecordSet, after: DnsRecordSet): Promise<void> {
    await this.change(
      zoneId,
      [
        { Action: 'DELETE', ResourceRecordSet: toSdk(before) },
        { Action: 'CREATE', ResourceRecordSet: toSdk(after) },
      ],
      before,
    );
  }

  private async change(zoneId: string, changes: Change[], record: DnsRecordSet): Promise<void> {
    this.stats.changeCalls++;
    const what = `ChangeResourceRecordSets ${changes.map((c) => c.Action).join('+')} ${describeRecord(record)} in ${zoneId}`;
    await this.call(what, zoneId, () =>
      this.sdk().then((c) =>
        c.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Comment: 'lightsout: cleanup after instance termination', Changes: changes },
          }),
        ),
      ),
    );
  }

  private async sdk(): Promise<Route53Client> {
    return typeof this.client === 'function' ? this.client() : this.client;
  }

  private async call<T>(action: string, zoneId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = awsErrorCode(err);
      if (code === 'NoSuchHostedZone') {
        throw new NotFoundError(`${action} failed: hosted zone ${zoneId} does not exist`, { cause: err });
      }
      if (code === 'InvalidChangeBatch' || code === 'InvalidInput') {
        const message = err instanceof Error ? err.message : String(err);
        // A DELETE whose values no longer match: the record changed under us; list again and re-plan.
        if (/not found|do not match|values provided/i.test(message)) {
          throw new ConflictError(`${action} failed: ${code}: ${message}`, { cause: err });
        }
      }
      throw translateAwsError(err, action);
    }
  }
}

/** A DELETE rejected because the record set no longer exists. */
function isAlreadyGone(err: unknown): boolean {
  return err instanceof ConflictError && /but it was not found/i.test(err.message);
}

function fromSdk(r: ResourceRecordSet): DnsRecordSet {
  const routing: Record<string, unknown> = {};
  for (const field of ROUTING_FIELDS) {
    if (r[field] !== undefined && field !== 'SetIdentifier') routing[field] = r[field];
  }
  return {
    name: normalizeRecordName(r.Name ?? ''),
    type: r.Type ?? '',
    ttl: r.TTL,
    values: (r.ResourceRecords ?? []).map((v) => v.Value ?? '').filter(Boolean),
    setIdentifier: r.SetIdentifier,
    alias: r.AliasTarget !== undefined,
    routing: Object.keys(routing).length ? routing : undefined,
  };
}

function toSdk(r: DnsRecordSet): ResourceRecordSet {
  return {
    ...(r.routing as Partial<ResourceRecordSet> | undefined),
    Name: r.name,
    Type: r.type as RRType,
    SetIdentifier: r.setIdentifier,
    ...(r.alias ? {} : { TTL: r.ttl, ResourceRecords: r.values.map((Value) => ({ Value })) }),
  };
}
