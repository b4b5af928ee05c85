import type { DnsRecordSet } from '../core/cleanup/dnsCleanupPlan.js';

/**
 * Route53 hosted zones, as the cleanup hooks use them. Implementation:
 * `src/aws/route53Records.ts`.
 */
export interface DnsZones {
  /** Every record set of the zone (all pages). Throws NotFoundError for an unknown zone. */
  listRecords(zoneId: string): Promise<DnsRecordSet[]>;
  /** Deletes a record set; one that is already gone counts as success. */
  deleteRecord(zoneId: string, record: DnsRecordSet): Promise<void>;
  /**
   * Replaces `before` with `after` atomically; throws ConflictError when the
   * record no longer matches `before` (someone else changed it: list again).
   */
  replaceRecord(zoneId: string, before: DnsRecordSet, after: DnsRecordSet): Promise<void>;
}
