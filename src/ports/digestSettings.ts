/**
 * Each channel's weekly digest: whether it wants one, in which time zone,
 * and which week's digest it last got. Kept per channel (a channel follows
 * several groups and gets one digest for all of them). Implementations:
 * SQLite and DynamoDB, with one contract suite.
 */
import type { DigestCadence } from '../core/digestSchedule.js';
import type { ChannelRef } from './subscriptionStore.js';

export type ChannelKey = Pick<ChannelRef, 'platform' | 'channelId'>;

export interface ChannelDigestSettings {
  channel: ChannelKey;
  /** Absent: the deployment's default (DIGEST_DEFAULT). */
  cadence?: DigestCadence;
  /** IANA name; absent: DIGEST_TIME_ZONE. */
  timeZone?: string;
  /** Who last changed the settings, and when (ISO). */
  updatedBy?: string;
  updatedAt?: string;
  /** The week (its Monday, `2026-11-23`) whose digest went out last. */
  lastSentWeek?: string;
  /** A sender is building and posting this week's digest until `until` (ISO); see `claimWeek`. */
  claim?: WeekClaim;
}

/**
 * One sender's claim on a week. `until` is also the claim's identity: a week
 * is claimed again only once `until` has passed, and the new claim ends later,
 * so no two claims of a channel ever share it. Giving a claim back or marking
 * its week sent names the claim, so a sender whose lease ran out can never
 * end the claim of the sender that took the week over.
 */
export interface WeekClaim {
  week: string;
  until: string;
}

export interface DigestSettingsStore {
  get(channel: ChannelKey): Promise<ChannelDigestSettings | undefined>;
  /** Sets cadence and time zone (a missing time zone keeps the stored one); keeps `lastSentWeek`. */
  set(settings: {
    channel: ChannelKey;
    cadence: DigestCadence;
    timeZone?: string;
    updatedBy: string;
    updatedAt: string;
  }): Promise<ChannelDigestSettings>;
  /**
   * Claims the digest of `week` for the channel with a conditional write: true
   * for exactly one of any number of concurrent claims; false once the week
   * was sent, or while another claim on it holds. A claim holds until
   * `lease.until`: a sender that crashed between claiming and posting leaves
   * a claim that expires, and the next tick after it claims the week again.
   */
  claimWeek(channel: ChannelKey, week: string, lease: { now: string; until: string }): Promise<boolean>;
  /**
   * The claim's week was posted: it becomes the last sent week (unless a later
   * week already is), and the claim ends if it still holds. True when it did;
   * false when another sender's claim has replaced it (that claim is left
   * alone: its sender is posting and will end it).
   */
  markSent(channel: ChannelKey, claim: WeekClaim): Promise<boolean>;
  /**
   * Gives a claim back after the digest could not be sent, so the next tick
   * tries again; does nothing once another sender's claim has replaced it.
   */
  releaseWeek(channel: ChannelKey, claim: WeekClaim): Promise<void>;
}
