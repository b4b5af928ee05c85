/**
 * Microsoft Teams settings. The bot's identity uses the Microsoft 365 Agents
 * SDK's connection settings, spelled as the SDK reads them:
 * `connections__serviceConnection__settings__clientId` (any connection name;
 * Lights Out uses one), or the SDK's short names `clientId`, `clientSecret`,
 * `tenantId`, `authType`, `authorityEndpoint`; both case-insensitive, the
 * connection form first. The Bot Framework names (`MicrosoftAppId`, …, and
 * their upper-case forms) still work and are reported in `deprecatedNames`,
 * which the runtime logs at start-up.
 */
import type { Env, EnvReader } from './env.js';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How the bot gets its outbound tokens (the SDK's `authType`): a client secret, or a user-assigned managed identity. */
export const TEAMS_AUTH_TYPES = ['ClientSecret', 'UserManagedIdentity'] as const;
export type TeamsAuthType = (typeof TEAMS_AUTH_TYPES)[number];

/** The documented spelling of each connection setting. */
export const TEAMS_SETTING_PREFIX = 'connections__serviceConnection__settings__';
export const teamsSettingName = (prop: SdkSetting) => `${TEAMS_SETTING_PREFIX}${prop}`;

type SdkSetting = 'clientId' | 'clientSecret' | 'tenantId' | 'authType' | 'authorityEndpoint';

/** Bot Framework names for the same settings; each still works, with a deprecation note. */
const LEGACY: Partial<Record<SdkSetting, readonly string[]>> = {
  clientId: ['MicrosoftAppId', 'MICROSOFT_APP_ID'],
  clientSecret: ['MicrosoftAppPassword', 'MICROSOFT_APP_PASSWORD'],
  tenantId: ['MicrosoftAppTenantId', 'MICROSOFT_APP_TENANT_ID'],
  authType: ['MicrosoftAppType', 'MICROSOFT_APP_TYPE'],
};

const LEGACY_APP_TYPES = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const;

export interface TeamsConfig {
  /** Mounted at all: a client id is set, or TEAMS_ENABLED=true for an unauthenticated local trial. */
  enabled: boolean;
  /** Azure Bot (Entra app registration or managed identity) client id. Absent = unauthenticated mode. */
  clientId?: string;
  /** Client secret. Single process only; Lambda reads it from TEAMS_SECRET_ARN at cold start. */
  clientSecret?: string;
  /** Entra tenant of the bot registration. Absent only for a registration kept as multi-tenant. */
  tenantId?: string;
  authType: TeamsAuthType;
  /** Entra login endpoint (national clouds); the SDK defaults to https://login.microsoftonline.com. */
  authorityEndpoint?: string;
  /** Lambda: Secrets Manager secret holding `{"clientSecret": "…"}` (or the older `{"appPassword": "…"}`). */
  secretArn?: string;
  /** Deprecated names in use, each with the name that replaces it. */
  deprecatedNames: { name: string; use: string }[];
  /** Group → Entra object ids (`from.aadObjectId`) allowed to stop its instances. Unlisted groups: anyone in a subscribed channel. */
  stopAllow: Record<string, string[]>;
  /** Entra object ids allowed to change subscriptions (and to stop anywhere they may act). Empty = everyone. */
  admins: string[];
  /** Channel id (`19:…@thread.tacv2`) that receives nags of groups no channel follows. */
  fallbackChannel?: string;
}

interface Found {
  name: string;
  value?: string;
  legacy?: boolean;
}

/** The SDK's spellings of one setting, in its order of precedence, then the Bot Framework names. */
function sdkSetting(r: EnvReader, prop: SdkSetting, connections: Set<string>): Found {
  // The documented spellings are read by name first; other cases and connection names by scanning.
  const canonical = teamsSettingName(prop);
  const upper = prop.toUpperCase();
  const names = r.names();
  const connection =
    r.string(canonical) !== undefined
      ? canonical
      : names.find((n) => {
          const parts = n.split('__');
          return (
            parts.length === 4 &&
            parts[0]?.toUpperCase() === 'CONNECTIONS' &&
            parts[2]?.toUpperCase() === 'SETTINGS' &&
            parts[3]?.toUpperCase() === upper
          );
        });
  if (connection) {
    connections.add(connection.split('__')[1] ?? '');
    return { name: connection, value: r.string(connection) };
  }
  const short = r.string(prop) !== undefined ? prop : names.find((n) => n.toUpperCase() === upper);
  if (short) return { name: short, value: r.string(short) };
  for (const name of LEGACY[prop] ?? []) {
    const value = r.string(name);
    if (value !== undefined) return { name, value, legacy: true };
  }
  return { name: canonical };
}

function guidList(r: EnvReader, name: string, raw: string[]): string[] {
  const ids = raw.map((id) => id.toLowerCase());
  for (const id of ids) {
    if (!GUID_RE.test(id)) r.problems.push(`${name} must list Entra object ids (GUIDs); got "${id}"`);
  }
  return ids.filter((id) => GUID_RE.test(id));
}

/** `authType`, or the Bot Framework `MicrosoftAppType` it replaces; `multiTenant` marks a registration kept as multi-tenant. */
function readAuthType(r: EnvReader, found: Found): { authType: TeamsAuthType; multiTenant: boolean } {
  const value = found.value?.toLowerCase();
  if (value === undefined) return { authType: 'ClientSecret', multiTenant: false };
  if (found.legacy) {
    const legacy = LEGACY_APP_TYPES.find((t) => t.toLowerCase() === value);
    if (!legacy) {
      r.problems.push(`${found.name} must be one of ${LEGACY_APP_TYPES.join(', ')}; got "${found.value}"`);
    }
    return {
      authType: legacy === 'UserAssignedMSI' ? 'UserManagedIdentity' : 'ClientSecret',
      multiTenant: legacy === 'MultiTenant',
    };
  }
  const authType = TEAMS_AUTH_TYPES.find((t) => t.toLowerCase() === value);
  if (!authType) {
    r.problems.push(`${found.name} must be one of ${TEAMS_AUTH_TYPES.join(', ')}; got "${found.value}"`);
  }
  return { authType: authType ?? 'ClientSecret', multiTenant: false };
}

export function readTeamsConfig(r: EnvReader): TeamsConfig {
  const connections = new Set<string>();
  const clientId = sdkSetting(r, 'clientId', connections);
  const secret = sdkSetting(r, 'clientSecret', connections);
  const tenant = sdkSetting(r, 'tenantId', connections);
  const type = sdkSetting(r, 'authType', connections);
  const authority = sdkSetting(r, 'authorityEndpoint', connections);
  if (connections.size > 1) {
    r.problems.push(
      `Lights Out uses one Agents SDK connection; found settings for ${[...connections].sort().join(', ')} (name it serviceConnection)`,
    );
  }

  if (clientId.value !== undefined && !GUID_RE.test(clientId.value)) {
    r.problems.push(
      `${clientId.name} must be the Azure Bot's app (client) id, a GUID; got "${clientId.value}"`,
    );
  }
  if (tenant.value !== undefined && !GUID_RE.test(tenant.value)) {
    r.problems.push(`${tenant.name} must be the Entra tenant id (a GUID); got "${tenant.value}"`);
  }
  if (authority.value !== undefined && !/^https?:\/\/[^\s/]+/.test(authority.value)) {
    r.problems.push(
      `${authority.name} must be an Entra login URL such as https://login.microsoftonline.us; got "${authority.value}"`,
    );
  }
  const { authType, multiTenant } = readAuthType(r, type);

  const secretArn = r.matching('TEAMS_SECRET_ARN', /^arn:aws[\w-]*:secretsmanager:/, 'a Secrets Manager ARN');
  if (clientId.value !== undefined) {
    // A managed identity's tenant is the Azure host's; a client secret belongs to one registration's tenant.
    if (!multiTenant && authType === 'ClientSecret' && tenant.value === undefined) {
      r.problems.push(
        `${teamsSettingName('tenantId')} (or tenantId; formerly MicrosoftAppTenantId) is required for a single-tenant bot: the Entra tenant id`,
      );
    }
    if (authType === 'ClientSecret' && secret.value === undefined && secretArn === undefined) {
      r.problems.push(
        `${teamsSettingName('clientSecret')} (or clientSecret; formerly MicrosoftAppPassword) is required when the client id is set: the bot's client secret (on Lambda set TEAMS_SECRET_ARN instead; for a managed identity set authType=UserManagedIdentity)`,
      );
    }
  }

  const deprecatedNames = [
    [clientId, 'clientId'],
    [secret, 'clientSecret'],
    [tenant, 'tenantId'],
    [type, 'authType'],
  ]
    .filter(([found]) => (found as Found).legacy)
    .map(([found, prop]) => ({ name: (found as Found).name, use: teamsSettingName(prop as SdkSetting) }));

  const explicit = r.has('TEAMS_ENABLED') ? r.bool('TEAMS_ENABLED', false) : undefined;
  return {
    enabled: explicit ?? clientId.value !== undefined,
    clientId: clientId.value,
    clientSecret: secret.value,
    tenantId: tenant.value,
    authType,
    authorityEndpoint: authority.value,
    secretArn,
    deprecatedNames,
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
    appId: get(teamsSettingName('clientId'), 'clientId', 'MicrosoftAppId', 'MICROSOFT_APP_ID'),
    domain: get('TEAMS_BOT_DOMAIN'),
    version: get('TEAMS_APP_VERSION'),
  };
}

/** Lambda: the client secret from the JSON secret named by TEAMS_SECRET_ARN; names what is wrong. */
export function withTeamsSecret(
  config: TeamsConfig,
  secretJson: string,
): TeamsConfig & { clientSecret: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretJson);
  } catch {
    throw new Error(
      'The secret named by TEAMS_SECRET_ARN must be JSON: {"clientSecret": "<bot client secret>"}',
    );
  }
  const fields = (parsed ?? {}) as { clientSecret?: unknown; appPassword?: unknown };
  const clientSecret = fields.clientSecret ?? fields.appPassword;
  if (typeof clientSecret !== 'string' || clientSecret === '') {
    throw new Error(
      'The secret named by TEAMS_SECRET_ARN lacks clientSecret (the Azure Bot client secret; appPassword is accepted too)',
    );
  }
  return { ...config, clientSecret };
}
