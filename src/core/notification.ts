/**
 * The nag notification: the JSON body published to SNS (with message attribute
 * `Target=<group>`) and handed to the chat layer in the single process.
 */

import type { IdleEvidence } from './idle.js';
import { consoleUrl, effectiveThresholdSeconds, type InstanceRecord, runtimeSeconds } from './instance.js';
import { DEFAULT_OWNER_TAG, type Owner, ownerFromTags } from './owner.js';
import type { InstancePrice } from './price.js';
import type { StopConsent } from './stopConsent.js';

export interface NagNotification {
  kind: 'nag';
  instanceId: string;
  name?: string;
  instanceType?: string;
  availabilityZone?: string;
  account?: string;
  region: string;
  group: string;
  launchTime: string;
  runtimeSeconds: number;
  thresholdSeconds: number;
  nagCount: number;
  warnings: string[];
  consoleUrl: string;
  /** When this nag fell due (ISO); with instanceId it makes a stable dedup key. */
  dueAt: string;
  /** From the owner tag; chat delivery reaches them where the group routes nags to owners. */
  owner?: Owner;
  /** What CloudWatch says about the run lately; absent when it could not be read. */
  idle?: IdleEvidence;
  /** The run's hourly price; absent while unknown (shown as "price unknown", never $0). */
  price?: InstancePrice;
  /** The stop consented for later, so the nag shows it (with Cancel) instead of "Stop at…". */
  stopConsent?: StopConsent;
  /** Stop may hibernate it (`HibernationOptions.Configured`). */
  hibernationConfigured?: boolean;
  /** `DisableApiStop`, read before this nag: nobody can stop it until its owner lifts it. */
  stopProtected?: boolean;
}

export function buildNagNotification(
  record: InstanceRecord,
  now: Date,
  opts: { account?: string; dueAt?: string; ownerTag?: string; idle?: IdleEvidence } = {},
): NagNotification {
  const { owner } = ownerFromTags(record.tags ?? {}, opts.ownerTag ?? DEFAULT_OWNER_TAG);
  return {
    kind: 'nag',
    instanceId: record.instanceId,
    name: record.name,
    instanceType: record.instanceType,
    availabilityZone: record.availabilityZone,
    account: opts.account ?? record.accountId,
    region: record.region,
    group: record.group,
    launchTime: record.launchTime,
    runtimeSeconds: runtimeSeconds(record, now),
    thresholdSeconds: effectiveThresholdSeconds(record),
    nagCount: record.nagCount,
    warnings: [...record.warnings],
    consoleUrl: consoleUrl(record),
    dueAt: opts.dueAt ?? now.toISOString(),
    ...(owner ? { owner } : {}),
    ...(opts.idle ? { idle: opts.idle } : {}),
    ...(record.price ? { price: { ...record.price } } : {}),
    ...(record.stopConsent ? { stopConsent: record.stopConsent } : {}),
    ...(record.hibernationConfigured ? { hibernationConfigured: true } : {}),
    ...(record.stopProtected ? { stopProtected: true } : {}),
  };
}
