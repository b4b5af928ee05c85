/**
 * Microsoft Teams settings. The Azure Bot registration's own names
 * (`MicrosoftAppId`, …, as botbuilder samples and the Azure portal spell them)
 * and their upper-case forms (`MICROSOFT_APP_ID`, …, friendlier in shells and
 * CDK) are both accepted; when both are set the Azure name wins.
 */
import type { Env, EnvReader } from './env.js';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const TEAMS_APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;
export type TeamsAppType = (typeof TEAMS_APP_TYPES)[number];

export interface TeamsConfig {
  /** Mounted at all: an app id is set, or TEAMS_ENABLED=true for an unauthenticated local trial. */
  enabled: boolean;
  /** Azure Bot (Entra app registration) client id. Absent = unauthenticated mode. */
  appId?: string;
  /** Client secret. Single process only; Lambda reads it from TEAMS_SECRET_ARN at cold start. */
  appPassword?: string;
  /** Entra tenant of a SingleTenant bot. */
  tenantId?: string;
  appType: TeamsAppType;
  /** Lambda: Secrets Manager secret holding `{"appPassword": "…"}`. */
  secretArn?: string;
  /** Group → Entra object ids (`from.aadObjectId`) allowed to stop its instances. Unlisted groups: anyone in a subscribed channel. */
  stopAllow: Record<string, string[]>;
  /** Entra object ids allowed to change subscriptions (and to stop anywhere they may act). Empty = everyone. */
  admins: string[];
  /** Channel id (`19:…@thread.tacv2`) that receives nags of groups no channel follows. */
  fallbackChannel?: string;
}

/** Reads the first of `names` that is set: the Azure spelling, then the upper-case one. */
function firstOf(r: EnvReader, names: readonly string[]): { name: string; value?: string } {
  for (const name of names) {
    const value = r.string(name);
    if (value !== undefined) return { name, value };
  }
  return { name: names[0] ?? '' };
}

function guidList(r: EnvReader, name: string, raw: string[]): string[] {
  const ids = raw.map((id) => id.toLowerCase());
  for (const id of ids) {
    if (!GUID_RE.test(id)) r.problems.push(`${name} must list Entra object ids (GUIDs); got "${id}"`);
  }
  return ids.filter((id) => GUID_RE.test(id));
}

export function readTeamsConfig(r: EnvReader): TeamsConfig {
  const appId = firstOf(r, ['MicrosoftAppId', 'MICROSOFT_APP_ID']);
  const password = firstOf(r, ['MicrosoftAppPassword', 'MICROSOFT_APP_PASSWORD']);
  const tenant = firstOf(r, ['MicrosoftAppTenantId', 'MICROSOFT_APP_TENANT_ID']);
  const type = firstOf(r, ['MicrosoftAppType', 'MICROSOFT_APP_TYPE']);

  if (appId.value !== undefined && !GUID_RE.test(appId.value)) {
    r.problems.push(`${appId.name} must be the Azure Bot's Microsoft App ID (a GUID); got "${appId.value}"`);
  }
  if (tenant.value !== undefined && !GUID_RE.test(tenant.value)) {
    r.problems.push(`${tenant.name} must be the Entra tenant id (a GUID); got "${tenant.value}"`);
  }
  const appType = (TEAMS_APP_TYPES.find((t) => t.toLowerCase() === type.value?.toLowerCase()) ??
    'SingleTenant') as TeamsAppType;
  if (type.value !== undefined && appType.toLowerCase() !== type.value.toLowerCase()) {
    r.problems.push(`${type.name} must be one of ${TEAMS_APP_TYPES.join(', ')}; got "${type.value}"`);
  }

  const secretArn = r.matching('TEAMS_SECRET_ARN', /^arn:aws[\w-]*:secretsmanager:/, 'a Secrets Manager ARN');
  if (appId.value !== undefined) {
    if (appType === 'SingleTenant' && tenant.value === undefined) {
      r.problems.push(
        'MicrosoftAppTenantId (or MICROSOFT_APP_TENANT_ID) is required for a SingleTenant bot: the Entra tenant id',
      );
    }
    if (appType !== 'UserAssignedMSI' && password.value === undefined && secretArn === undefined) {
      r.problems.push(
        'MicrosoftAppPassword (or MICROSOFT_APP_PASSWORD) is required when MicrosoftAppId is set: the bot client secret (on Lambda set TEAMS_SECRET_ARN instead)',
      );
    }
  }

  const explicit = r.has('TEAMS_ENABLED') ? r.bool('TEAMS_ENABLED', false) : undefined;
  return {
    enabled: explicit ?? appId.value !== undefined,
    appId: appId.value,
    appPassword: password.value,
    tenantId: tenant.value,
    appType,
    secretArn,
    // `web=<oid>,<oid>;db=<oid>`: who may stop each group's instances (as SLACK_STOP_ALLOW).
    stopAllow: r.groupLists(
      'TEAMS_STOP_ALLOW',
      'web=<entra-object-id>,<entra-object-id>;db=<entra-object-id>',
      (ids) => guidList(r, 'TEAMS_STOP_ALLOW', ids),
    ),
    admins: guidList(r, 'TEAMS_ADMINS', r.list('TEAMS_ADMINS')),
    fallbackChannel: r.matching(
      'TEAMS_FALLBACK_CHANNEL',
      /^19:[^;\s]+@thread\.(tacv2|skype|v2)$/,
      'a Teams channel id such as 19:abc…@thread.tacv2 (from the channel link)',
    ),
  };
}

/** What `npm run package:teams` fills into the manifest template. */
export interface TeamsPackageSettings {
  appId?: string;
  /** Public host name of the bot endpoint, e.g. `abc.lambda-url.eu-west-1.on.aws`. */
  domain?: string;
  version?: string;
}

/** Package-time settings from the environment; command-line flags override them. */
export function readTeamsPackageSettings(env: Env): TeamsPackageSettings {
  const get = (...names: string[]) =>
    names.map((n) => env[n]?.trim()).find((v): v is string => v !== undefined && v !== '');
  return {
    appId: get('MicrosoftAppId', 'MICROSOFT_APP_ID'),
    domain: get('TEAMS_BOT_DOMAIN'),
    version: get('TEAMS_APP_VERSION'),
  };
}

/** Lambda: the client secret from the JSON secret named by TEAMS_SECRET_ARN; names what is wrong. */
export function withTeamsSecret(
  config: TeamsConfig,
  secretJson: string,
): TeamsConfig & { appPassword: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretJson);
  } catch {
    throw new Error(
      'The secret named by TEAMS_SECRET_ARN must be JSON: {"appPassword": "<bot client secret>"}',
    );
  }
  const appPassword = (parsed as { appPassword?: unknown } | null)?.appPassword;
  if (typeof appPassword !== 'string' || appPassword === '') {
    throw new Error('The secret named by TEAMS_SECRET_ARN lacks appPassword (the Azure Bot client secret)');
  }
  return { ...config, appPassword };
}
