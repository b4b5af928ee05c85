/** Settings of the monitoring engine, shared by both runtimes. */
import { DAY, HOUR, MINUTE } from '../core/duration.js';
import { DEFAULT_MAX_EXTENSION_SECONDS } from '../core/extensionCap.js';
import { DEFAULT_OWNER_TAG } from '../core/owner.js';
import { DEFAULT_HOURLY_COST_TAG } from '../core/price.js';
import { GROUP_PATTERN } from '../core/tagPolicy.js';
import { type ConsentConfig, readConsentConfig } from './consent.js';
import { AWS_REGION_PATTERN, type EnvReader } from './env.js';

/** The MonitorGroup rule: lower-case letters and digits, at most 64. */
export const GROUP_RE = GROUP_PATTERN;

export interface MonitorConfig extends ConsentConfig {
  /** opt-in: only `Monitor=true`; opt-out: everything unless `Monitor=false`. */
  mode: 'opt-in' | 'opt-out';
  defaultGroup: string;
  defaultThresholdSeconds: number;
  defaultRenotifySeconds: number;
  /** Regions swept by the reconciler and the CLI. The first is the home region. */
  regions: string[];
  /** How long a terminated instance's tombstone is kept. */
  tombstoneTtlSeconds: number;
  /** The most a run's threshold may be extended in total (MAX_EXTENSION). */
  maxExtensionSeconds: number;
  /**
   * Single process: how often the reconcile sweep runs, which is also how long
   * a new instance can go unnoticed there (no EC2 events). One minute costs one
   * DescribeInstances page per 1,000 instances per region per minute.
   */
  reconcileEverySeconds: number;
  /** Optional SNS topic for nags (required in Lambda mode). */
  snsTopicArn?: string;
  /** SNS topic for domain events (stopped/terminated/cleaned-up) in Lambda mode. */
  eventsTopicArn?: string;
  /** Account id shown in notifications when EC2 does not report an owner. */
  accountId?: string;
  /** The tag naming an instance's owner (email, Slack user id, Teams user): OWNER_TAG. */
  ownerTag: string;
  /** Key of the tag whose hourly price overrides looked-up prices (HOURLY_COST_TAG). */
  hourlyCostTag: string;
  /**
   * Whether prices are looked up (PRICING): `off` where there is no Price List
   * to ask (moto, an account without pricing:GetProducts), so runs without an
   * HourlyCost tag show "price unknown" and nothing warns at every sweep.
   */
  priceLookups: boolean;
}

export function readMonitorConfig(r: EnvReader): MonitorConfig {
  const home = r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? 'us-east-1';
  const regions = r.listMatching('REGIONS', AWS_REGION_PATTERN, 'AWS region names such as us-east-1', [home]);
  return {
    mode: r.oneOf('MONITOR_MODE', ['opt-in', 'opt-out'] as const, 'opt-in'),
    defaultGroup: r.matching(
      'DEFAULT_GROUP',
      GROUP_RE,
      'lower-case letters and digits only, at most 64',
      'all',
    ),
    defaultThresholdSeconds: r.duration('DEFAULT_THRESHOLD', 12 * HOUR, {
      minSeconds: MINUTE,
      maxSeconds: 365 * DAY,
    }),
    defaultRenotifySeconds: r.duration('RENOTIFY_EVERY', HOUR, { minSeconds: MINUTE, maxSeconds: 30 * DAY }),
    regions,
    tombstoneTtlSeconds: r.duration('TOMBSTONE_TTL', DAY, { minSeconds: MINUTE }),
    maxExtensionSeconds: r.duration('MAX_EXTENSION', DEFAULT_MAX_EXTENSION_SECONDS, {
      minSeconds: 0,
      maxSeconds: 365 * DAY,
    }),
    reconcileEverySeconds: r.duration('RECONCILE_EVERY', MINUTE, { minSeconds: 10, bareUnit: 'm' }),
    snsTopicArn: r.matching('SNS_TOPIC_ARN', /^arn:aws[\w-]*:sns:/, 'an SNS topic ARN'),
    eventsTopicArn: r.matching('EVENTS_TOPIC_ARN', /^arn:aws[\w-]*:sns:/, 'an SNS topic ARN'),
    accountId: r.matching('AWS_ACCOUNT_ID', /^\d{12}$/, 'a 12-digit account id'),
    ownerTag: r.matching(
      'OWNER_TAG',
      /^[\p{L}\p{N} +\-=._:/@]{1,128}$/u,
      'an EC2 tag key (letters, digits, spaces and + - = . _ : / @; at most 128)',
      DEFAULT_OWNER_TAG,
    ),
    hourlyCostTag: r.matching(
      'HOURLY_COST_TAG',
      /^[\p{L}\p{N} +\-=._:/@]{1,128}$/u,
      'an EC2 tag key (letters, digits, spaces and + - = . _ : / @; at most 128)',
      DEFAULT_HOURLY_COST_TAG,
    ),
    priceLookups: r.oneOf('PRICING', ['on', 'off'] as const, 'on') === 'on',
    ...readConsentConfig(r),
  };
}
