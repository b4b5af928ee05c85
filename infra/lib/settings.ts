/**
 * Deployment settings, read from CDK context (`cdk.json` or `-c key=value`).
 * Every value is validated here, with the same rules the functions apply to
 * their environment at cold start, so a typo fails `cdk synth` with a message
 * naming the setting instead of failing a Lambda at 3 a.m.
 */

import { type CloudMapServiceRef, parseCloudMapServices } from '../../src/core/cleanup/cloudMapServiceTag.js';
import { parseDuration } from '../../src/core/duration.js';
import { GROUP_PATTERN } from '../../src/core/tagPolicy.js';
import { chatWorkTimeout } from './chatWorkTimeout.js';
import { checkAsFunctionsWould } from './functionsConfigCheck.js';
import { readPassThrough } from './passThrough.js';

export type MonitorMode = 'opt-in' | 'opt-out';

export interface Settings {
  /** Regions watched; the first is the home region where everything runs. */
  regions: string[];
  monitorMode: MonitorMode;
  defaultGroup: string;
  /** Duration strings exactly as the functions parse them (`12h`, `90m`). */
  defaultThreshold: string;
  renotifyEvery: string;
  tombstoneTtl: string;
  /** Minutes between reconcile sweeps. */
  reconcileEveryMinutes: number;
  /** Minutes between Cloud Map reconcile sweeps. */
  cloudMapReconcileEveryMinutes: number;
  /** Minutes between idle checks of "stop when idle" consents. */
  idleCheckEveryMinutes: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  logRetentionDays: number;
  /** Tag key marking instances that belong to a workload; its value names the workload. */
  workloadTagKey: string;
  /** Route 53 hosted zone ids the cleanup may edit (`Z0123...`). */
  hostedZoneIds: string[];
  /** Cloud Map services the cleanup may deregister from (`srv-...[@region]`). */
  cloudMapServices: CloudMapServiceRef[];
  /** Endpoints told about each termination (signed with the webhook secret). */
  cleanupWebhookUrls: string[];
  /** AWS_EC2_Scheduler's spec tables (scanned by workloadStep) and their region. */
  workloadSpecTable: string;
  tierSpecTable: string;
  workloadSpecRegion?: string;
  /** Default SNS topic for workload run status; specs may name others (`workloadStatusTopics`). */
  workloadStatusTopicArn?: string;
  /** SNS topic names that workload specs use as SNSTopicName. */
  workloadStatusTopics: string[];
  /** Optional behaviour settings passed to the functions that read them (see passThrough.ts). */
  functionEnvironment: Record<string, string>;
  scheduleGroupName: string;
  /** Slack on (SLACK_SECRET_ARN is passed); off for a Teams-only deployment. */
  slackEnabled: boolean;
  /** Teams bot registration; not secret (the password lives in Secrets Manager). */
  teamsAppId?: string;
  teamsTenantId?: string;
  /** Alarm actions: an existing SNS topic, or an email for a topic created here. */
  alarmTopicArn?: string;
  operatorEmail?: string;
  /** Bundle the AWS SDK into each function instead of using the runtime's copy. */
  bundleAwsSdk: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  regions: ['us-east-1'],
  monitorMode: 'opt-in',
  defaultGroup: 'all',
  defaultThreshold: '12h',
  renotifyEvery: '1h',
  tombstoneTtl: '1d',
  reconcileEveryMinutes: 15,
  cloudMapReconcileEveryMinutes: 60,
  idleCheckEveryMinutes: 5,
  logLevel: 'INFO',
  logRetentionDays: 30,
  workloadTagKey: 'lightsout:workload',
  hostedZoneIds: [],
  cloudMapServices: [],
  cleanupWebhookUrls: [],
  workloadSpecTable: 'WorkloadSpecification',
  tierSpecTable: 'TierSpecification',
  workloadStatusTopics: [],
  functionEnvironment: {},
  scheduleGroupName: 'lightsout',
  slackEnabled: true,
  bundleAwsSdk: false,
};

/** Retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid Lights Out deployment settings (CDK context):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'SettingsError';
  }
}

type Lookup = (key: string) => unknown;

/**
 * Reads settings through `lookup` (usually `key => app.node.tryGetContext(key)`),
 * falling back to `defaultRegion` when `regions` is not set. Throws SettingsError
 * listing every problem at once.
 */
export function readSettings(lookup: Lookup, defaultRegion?: string): Settings {
  const problems: string[] = [];
  const str = (key: string): string | undefined => {
    const v = lookup(key);
    if (v === undefined || v === null || String(v).trim() === '') return undefined;
    return String(v).trim();
  };
  const list = (key: string): string[] | undefined => {
    const v = lookup(key);
    if (v === undefined || v === null) return undefined;
    const items = Array.isArray(v) ? v.map(String) : String(v).split(/[\s,]+/);
    return items.map((s) => s.trim()).filter(Boolean);
  };
  const matching = (key: string, re: RegExp, expects: string, fallback: string): string => {
    const v = str(key);
    if (v === undefined) return fallback;
    if (!re.test(v)) problems.push(`${key} must be ${expects}; got "${v}"`);
    return v;
  };
  const duration = (key: string, fallback: string, minSeconds: number): string => {
    const v = str(key) ?? fallback;
    const parsed = parseDuration(v, { minSeconds });
    if (!parsed.ok) problems.push(`${key} must be a duration such as ${fallback}; "${v}" ${parsed.reason}`);
    return v;
  };
  const whole = (key: string, fallback: number, ok: (n: number) => boolean, expects: string): number => {
    const v = str(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || !ok(n)) problems.push(`${key} must be ${expects}; got "${v}"`);
    return n;
  };
  const optional = (key: string, re: RegExp, expects: string): string | undefined => {
    const v = str(key);
    if (v !== undefined && !re.test(v)) problems.push(`${key} must be ${expects}; got "${v}"`);
    return v;
  };

  const d = DEFAULT_SETTINGS;
  // An empty list (as in the shipped cdk.json) means "the CLI's region".
  const listed = list('regions') ?? [];
  const regions = listed.length ? listed : defaultRegion ? [defaultRegion] : d.regions;
  for (const r of regions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(r))
      problems.push(`regions must list AWS regions such as us-east-1; got "${r}"`);
  }
  if (new Set(regions).size !== regions.length)
    problems.push(`regions lists a region twice: ${regions.join(', ')}`);

  const mode = str('monitorMode') ?? d.monitorMode;
  if (mode !== 'opt-in' && mode !== 'opt-out')
    problems.push(`monitorMode must be opt-in or opt-out; got "${mode}"`);
  const logLevel = (str('logLevel') ?? d.logLevel).toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
    problems.push(`logLevel must be one of DEBUG, INFO, WARN, ERROR; got "${logLevel}"`);
  }

  const hostedZoneIds = (list('hostedZones') ?? []).map((z) => z.replace(/^\/?hostedzone\//, ''));
  for (const z of hostedZoneIds) {
    if (!/^Z[A-Z0-9]{4,32}$/.test(z))
      problems.push(`hostedZones must list hosted zone ids such as Z0123456789ABC; got "${z}"`);
  }
  const services = parseCloudMapServices(
    (list('cloudMapServices') ?? []).join(','),
    regions[0] ?? d.regions[0]!,
    'cloudMapServices',
  );
  problems.push(...services.warnings.map((w) => w.replace(/; ignored$/, '')));
  const cleanupWebhookUrls = list('cleanupWebhookUrls') ?? [];
  for (const url of cleanupWebhookUrls) {
    if (!/^https?:\/\/\S+$/.test(url))
      problems.push(`cleanupWebhookUrls must list http(s) URLs; got "${url}"`);
  }
  const workloadStatusTopics = list('workloadStatusTopics') ?? [];
  for (const t of workloadStatusTopics) {
    if (!/^[\w-]{1,256}$/.test(t))
      problems.push(`workloadStatusTopics must list SNS topic names; got "${t}"`);
  }
  const functionEnvironment = readPassThrough(lookup('functionEnvironment'), problems);

  const slack = str('slack') ?? 'true';
  if (!/^(true|false)$/.test(slack)) problems.push(`slack must be true or false; got "${slack}"`);
  const bundleAwsSdk = str('bundleAwsSdk') ?? 'false';
  if (!/^(true|false)$/.test(bundleAwsSdk))
    problems.push(`bundleAwsSdk must be true or false; got "${bundleAwsSdk}"`);

  const settings: Settings = {
    regions,
    monitorMode: mode as MonitorMode,
    defaultGroup: matching(
      'defaultGroup',
      GROUP_PATTERN,
      'lower-case letters and digits only, at most 64',
      d.defaultGroup,
    ),
    defaultThreshold: duration('defaultThreshold', d.defaultThreshold, 60),
    renotifyEvery: duration('renotifyEvery', d.renotifyEvery, 60),
    tombstoneTtl: duration('tombstoneTtl', d.tombstoneTtl, 60),
    reconcileEveryMinutes: whole(
      'reconcileEveryMinutes',
      d.reconcileEveryMinutes,
      (n) => n >= 1 && n <= 1440,
      'whole minutes from 1 to 1440',
    ),
    // EC2's basic metrics arrive every 5 minutes; checking more often reads the same data.
    idleCheckEveryMinutes: whole(
      'idleCheckEveryMinutes',
      d.idleCheckEveryMinutes,
      (n) => n >= 5 && n <= 15,
      'whole minutes from 5 to 15',
    ),
    cloudMapReconcileEveryMinutes: whole(
      'cloudMapReconcileEveryMinutes',
      d.cloudMapReconcileEveryMinutes,
      (n) => n >= 1 && n <= 1440,
      'whole minutes from 1 to 1440',
    ),
    logLevel: logLevel as Settings['logLevel'],
    logRetentionDays: whole(
      'logRetentionDays',
      d.logRetentionDays,
      (n) => RETENTION_DAYS.includes(n),
      `one of ${RETENTION_DAYS.join(', ')}`,
    ),
    workloadTagKey: matching(
      'workloadTagKey',
      /^[\w.:/=+\-@]{1,128}$/,
      'a tag key (letters, digits, _.:/=+-@)',
      d.workloadTagKey,
    ),
    hostedZoneIds,
    cloudMapServices: services.refs,
    cleanupWebhookUrls,
    workloadSpecTable: matching(
      'workloadSpecTable',
      /^[\w.-]{3,255}$/,
      'a DynamoDB table name',
      d.workloadSpecTable,
    ),
    tierSpecTable: matching('tierSpecTable', /^[\w.-]{3,255}$/, 'a DynamoDB table name', d.tierSpecTable),
    workloadSpecRegion: optional(
      'workloadSpecRegion',
      /^[a-z]{2}(-[a-z]+)+-\d$/,
      'an AWS region such as us-east-1',
    ),
    workloadStatusTopicArn: optional(
      'workloadStatusTopicArn',
      /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/,
      'an SNS topic ARN',
    ),
    workloadStatusTopics,
    functionEnvironment,
    scheduleGroupName: matching(
      'scheduleGroup',
      /^[0-9a-zA-Z-_.]{1,64}$/,
      'a schedule group name',
      d.scheduleGroupName,
    ),
    teamsAppId: optional('teamsAppId', /^[0-9a-f-]{36}$/i, 'the Microsoft App ID (a GUID) of the Teams bot'),
    teamsTenantId: optional('teamsTenantId', /^[0-9a-f-]{36}$/i, 'the Microsoft Entra tenant id (a GUID)'),
    alarmTopicArn: optional(
      'alarmTopicArn',
      /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/,
      'an SNS topic ARN',
    ),
    operatorEmail: optional('operatorEmail', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an email address'),
    slackEnabled: slack === 'true',
    bundleAwsSdk: bundleAwsSdk === 'true',
  };
  if (!settings.slackEnabled && !settings.teamsAppId) {
    problems.push(
      'slack is false and teamsAppId is not set: nags would reach no chat platform; set teamsAppId and teamsTenantId for a Teams-only deployment, or leave slack on',
    );
  }
  if (problems.length === 0) problems.push(...checkAsFunctionsWould(settings));
  if (problems.length === 0) {
    const { problem } = chatWorkTimeout(settings.functionEnvironment);
    if (problem) problems.push(problem);
  }
  if (problems.length) throw new SettingsError(problems);
  return settings;
}

/** The home region: where the table, topics, schedules and functions live. */
export const homeRegion = (s: Settings): string => s.regions[0]!;
