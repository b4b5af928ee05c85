/**
 * The instance record: what Lights Out knows about one run of one instance.
 * A run is identified by (region, instanceId, launchTime); a stop/start is a new run.
 * Times are ISO-8601 UTC strings so records read the same in SQLite, DynamoDB and logs.
 */
import type { InstancePrice } from './price.js';
import type { StopConsent, StopConsentRecord } from './stopConsent.js';

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export const INSTANCE_STATES: readonly InstanceState[] = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
];

export interface InstanceKey {
  region: string;
  instanceId: string;
}

/** Identifies one run: actions on an older run are stale and refused. */
export interface RunRef extends InstanceKey {
  launchTime: string;
}

export type ChatPlatform = 'slack' | 'teams';

/** Where a nag for this run was posted, so later events can update it in place. */
export interface ChatMessageRef {
  platform: ChatPlatform;
  /** Slack channel id, or Teams conversation id of the channel. */
  channelId: string;
  /** Slack message `ts`, or Teams activity id of the card. */
  messageId: string;
  /** Teams needs the service URL and tenant to reach the conversation again. */
  serviceUrl?: string;
  tenantId?: string;
  /**
   * The owner's direct conversation with the bot (Slack DM, Teams 1:1), not a
   * channel: clicks there are accepted from the owner (see Authorizer).
   */
  direct?: boolean;
}

/**
 * Where someone acted from: a chat platform, the CLI, a workload run, or a
 * schedule (a stop consented in advance by a tag or a group).
 */
export type ActorPlatform = ChatPlatform | 'cli' | 'workload' | 'schedule';

/** Who did something, so each platform can mention them its own way. */
export interface RunActor {
  platform: ActorPlatform;
  id: string;
  name?: string;
}

/**
 * How this run stopped, kept on the record so a late click or a late event
 * tells the truth (who, from where, and the runtime at that moment) instead
 * of recomputing it from whenever it is seen.
 */
export interface RunStop {
  /** Who stopped it through Lights Out; absent when it was stopped outside Lights Out. */
  by?: RunActor;
  /** When the stop was requested (through Lights Out) or first observed (ISO). */
  at: string;
  runtimeSeconds: number;
  /** True when the stop was a hibernation (StopInstances with `Hibernate`). */
  hibernated?: boolean;
  /** Set when the stop carried out a consent given earlier (a scheduled or idle stop): who consented and when. */
  consent?: StopConsentRecord;
  /**
   * The stop itself was never seen (the process was down, or the event was
   * lost) and the run was closed when its next launch was: `at` is the last
   * time it was known to be up.
   */
  unobserved?: true;
}

export interface InstanceRecord extends InstanceKey {
  /** LaunchTime of the current run (ISO). */
  launchTime: string;
  state: InstanceState;
  /** Time of the EC2 event (or observation) that set `state`; orders out-of-order events. */
  stateChangedAt: string;
  name?: string;
  instanceType?: string;
  availabilityZone?: string;
  privateIp?: string;
  publicIp?: string;
  accountId?: string;
  /** EC2's `HibernationOptions.Configured` for this run: Stop may offer Hibernate. */
  hibernationConfigured?: boolean;
  /**
   * The instance's `DisableApiStop`, as last read (before a nag, or when a stop
   * was refused for it): StopInstances would fail, so no Stop is offered.
   */
  stopProtected?: boolean;
  /** Instance tags as last read; cleanup hooks read DnsRecords/CloudMapService from here. */
  tags: Record<string, string>;
  group: string;
  thresholdSeconds: number;
  renotifySeconds: number;
  /** Extra allowance granted by Extend for this run, on top of the threshold. */
  extensionSeconds: number;
  snoozedUntil?: string;
  nextNagAt?: string;
  lastNagAt?: string;
  nagCount: number;
  /** Warnings from bad tags, e.g. `Threshold "abc" is not a duration; using 12h`. */
  warnings: string[];
  chatRefs: ChatMessageRef[];
  /**
   * When someone stopped this run from chat (ISO). The record then reads
   * `stopping` before EC2 says so, so a sweep or a late `running` cannot re-arm
   * its nags; cleared once EC2 reports the stop, which still emits `instance.stopped`.
   */
  stopRequestedAt?: string;
  /** Who claimed the stop (with `stopRequestedAt`): later clicks are told "already being stopped by …". */
  stopRequestedBy?: RunActor;
  /** How this run stopped; set once, by the first stop seen or requested. */
  lastStop?: RunStop;
  /**
   * The due nag a firing is sending (its schedule's `dueAt`) and since when.
   * Claimed with a conditional write before notifying, so a schedule that
   * fires twice at once sends and counts one nag.
   */
  nagClaim?: { dueAt: string; at: string };
  /** True when the last nag reached no chat channel (no subscription, no fallback, or every channel refused). */
  undelivered?: boolean;
  /** Why, e.g. `no channel follows this group` or `slack:C0WEB channel_not_found`. */
  undeliveredReason?: string;
  /**
   * This run's hourly price and where it came from (HourlyCost tag, On-Demand
   * price list, spot price); absent while unknown, never 0. Refreshed only when
   * its source's TTL ran out or the tag changed, so sweeps write nothing for it.
   */
  price?: InstancePrice;
  /**
   * Why the owner named by the Owner tag could not be reached, e.g.
   * `Owner "bob@example.com" was not found in Slack`; set and cleared by chat
   * delivery, shown with the tag warnings.
   */
  ownerWarning?: string;
  /** Consent to stop this run later (at a time, or once idle); see src/core/stopConsent.ts. */
  stopConsent?: StopConsent;
  /**
   * Who cancelled this run's consent and when: a standing consent (the
   * AutoStop tag) is then not given again to the same run.
   */
  consentCancelled?: { by: RunActor; at: string };
  /** Set on terminated tombstones: when the store may forget the record (ISO). */
  expiresAt?: string;
  /** Optimistic-concurrency counter; stores bump it on every write. */
  version: number;
}

/** The tag warnings plus the owner warning: what messages and lists show. */
export function instanceWarnings(record: Pick<InstanceRecord, 'warnings' | 'ownerWarning'>): string[] {
  return record.ownerWarning ? [...record.warnings, record.ownerWarning] : [...record.warnings];
}

export const instanceKeyString = (k: InstanceKey): string => `${k.region}/${k.instanceId}`;

/** Seconds the current run has been up at `now`. */
export function runtimeSeconds(record: Pick<InstanceRecord, 'launchTime'>, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(record.launchTime)) / 1000));
}

/** Threshold in force for this run: tag threshold plus any extension. */
export function effectiveThresholdSeconds(
  record: Pick<InstanceRecord, 'thresholdSeconds' | 'extensionSeconds'>,
) {
  return record.thresholdSeconds + record.extensionSeconds;
}

export function consoleUrl(k: InstanceKey): string {
  return `https://${k.region}.console.aws.amazon.com/ec2/home?region=${k.region}#InstanceDetails:instanceId=${k.instanceId}`;
}
