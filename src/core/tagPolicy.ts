/**
 * Reads an instance's tags into the policy the engine applies to it.
 * Pure and forgiving: a bad tag value never crashes and never vanishes; the
 * default is used and a warning travels with the instance to `lightsout list`
 * and to every notification.
 */
import { DAY, formatDuration, MINUTE, parseDuration } from './duration.js';
import { DEFAULT_OWNER_TAG, type Owner, ownerFromTags } from './owner.js';
import { DEFAULT_HOURLY_COST_TAG, readHourlyCostTag } from './price.js';
import { quoted } from './quote.js';
import { type AutoStopSpec, DEFAULT_AUTOSTOP_TAG, parseAutoStop } from './stopConsent.js';

export const TAG = {
  monitor: 'Monitor',
  group: 'MonitorGroup',
  threshold: 'Threshold',
  renotify: 'RenotifyEvery',
  name: 'Name',
} as const;

/**
 * Group names are short identifiers: they travel in every button's run token
 * (Slack caps a block_id at 255 characters) and in store keys and schedule names.
 */
export const MAX_GROUP_LENGTH = 64;
export const GROUP_PATTERN = /^[a-z0-9]{1,64}$/;
export const THRESHOLD_BOUNDS = { minSeconds: MINUTE, maxSeconds: 365 * DAY, bareUnit: 'h' as const };
export const RENOTIFY_BOUNDS = { minSeconds: MINUTE, maxSeconds: 30 * DAY, bareUnit: 'h' as const };

export interface PolicyDefaults {
  /** opt-in: only `Monitor=true`; opt-out: everything unless `Monitor=false`. */
  mode: 'opt-in' | 'opt-out';
  defaultGroup: string;
  defaultThresholdSeconds: number;
  defaultRenotifySeconds: number;
  /** The tag naming the instance's owner (OWNER_TAG); default `Owner`. */
  ownerTag?: string;
  /** Key of the tag holding an hourly price that overrides looked-up prices (HOURLY_COST_TAG); default `HourlyCost`. */
  hourlyCostTag?: string;
  /** Key of the standing-consent tag (`AutoStop=at:19:00`); default `AutoStop`. */
  autoStopTag?: string;
}

export interface TagPolicy {
  monitored: boolean;
  group: string;
  thresholdSeconds: number;
  renotifySeconds: number;
  /** From the owner tag (see owner.ts); a malformed value is a warning instead. */
  owner?: Owner;
  /** A valid HourlyCost tag's price in US dollars per hour; absent when untagged or malformed. */
  hourlyCostUsd?: number;
  /** Standing consent to stop each run (the AutoStop tag); absent when off or unreadable. */
  autoStop?: AutoStopSpec;
  /** One line per bad tag, e.g. `Threshold "abc" is not a duration; using 12h`. */
  warnings: string[];
  /** Why the instance is (not) monitored, for logs and `check --dry-run`. */
  reason: string;
}

/** Evaluates `Monitor`, `MonitorGroup`, `Threshold`, `RenotifyEvery` and `HourlyCost` against the defaults. */
export function readTagPolicy(tags: Record<string, string>, defaults: PolicyDefaults): TagPolicy {
  const warnings: string[] = [];
  const { monitored, reason } = readMonitor(tags[TAG.monitor], defaults.mode, warnings);
  const owner = ownerFromTags(tags, defaults.ownerTag ?? DEFAULT_OWNER_TAG);
  const policy: TagPolicy = {
    monitored,
    group: readGroup(tags[TAG.group], defaults.defaultGroup, warnings),
    thresholdSeconds: readDuration(
      TAG.threshold,
      tags[TAG.threshold],
      defaults.defaultThresholdSeconds,
      THRESHOLD_BOUNDS,
      warnings,
    ),
    renotifySeconds: readDuration(
      TAG.renotify,
      tags[TAG.renotify],
      defaults.defaultRenotifySeconds,
      RENOTIFY_BOUNDS,
      warnings,
    ),
    autoStop: readAutoStop(defaults.autoStopTag ?? DEFAULT_AUTOSTOP_TAG, tags, warnings),
    ...(owner.owner ? { owner: owner.owner } : {}),
    warnings: owner.warning ? [...warnings, owner.warning] : warnings,
    reason,
  };
  const costKey = defaults.hourlyCostTag ?? DEFAULT_HOURLY_COST_TAG;
  const cost = tags[costKey] === undefined ? undefined : readHourlyCostTag(costKey, tags[costKey]);
  if (cost?.ok) policy.hourlyCostUsd = cost.hourlyUsd;
  else if (cost) policy.warnings.push(cost.warning);
  return policy;
}

function readAutoStop(
  tag: string,
  tags: Record<string, string>,
  warnings: string[],
): AutoStopSpec | undefined {
  const raw = tags[tag];
  if (raw === undefined) return undefined;
  const parsed = parseAutoStop(raw);
  if (parsed.ok) return parsed.spec;
  warnings.push(`${tag} ${quoted(raw)}: ${parsed.reason}; no automatic stop`);
  return undefined;
}

function readMonitor(
  raw: string | undefined,
  mode: PolicyDefaults['mode'],
  warnings: string[],
): { monitored: boolean; reason: string } {
  const value = raw?.trim().toLowerCase();
  if (value === 'true') return { monitored: true, reason: 'Monitor=true' };
  if (value === 'false') return { monitored: false, reason: 'Monitor=false' };
  const byDefault = mode === 'opt-out';
  const modeReason = byDefault
    ? 'monitored by default (opt-out mode)'
    : 'not tagged Monitor=true (opt-in mode)';
  if (raw === undefined) return { monitored: byDefault, reason: modeReason };
  warnings.push(`Monitor ${quoted(raw)} is not true or false; using ${byDefault} (${mode} mode)`);
  return { monitored: byDefault, reason: `Monitor ${quoted(raw)} is not true or false; ${modeReason}` };
}

function readGroup(raw: string | undefined, fallback: string, warnings: string[]): string {
  if (raw === undefined) return fallback;
  const value = raw.trim();
  if (GROUP_PATTERN.test(value)) return value;
  const problem =
    value.length > MAX_GROUP_LENGTH && /^[a-z0-9]+$/.test(value)
      ? `is longer than ${MAX_GROUP_LENGTH} characters`
      : 'must be lower-case letters and digits only';
  warnings.push(`MonitorGroup ${quoted(raw)} ${problem}; using ${fallback}`);
  return fallback;
}

function readDuration(
  tag: string,
  raw: string | undefined,
  fallback: number,
  bounds: typeof THRESHOLD_BOUNDS,
  warnings: string[],
): number {
  if (raw === undefined) return fallback;
  const parsed = parseDuration(raw, bounds);
  if (parsed.ok) return parsed.seconds;
  // The duration parser lists examples in parentheses; the warning stays one short line.
  const reason = parsed.reason.replace(/\s*\(.*\)$/, '');
  warnings.push(`${tag} ${quoted(raw)} ${reason}; using ${formatDuration(fallback)}`);
  return fallback;
}
