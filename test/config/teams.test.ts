import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { withTeamsSecret } from '../../src/config/teams.js';

const APP = '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b';
const TENANT = '9a7b1c2d-3e4f-5a6b-0f8e-6b1c3a2d4e5f';
const CONNECTION = 'connections__serviceConnection__settings__';

describe('Teams config', () => {
  it('is off with nothing set, so no unauthenticated endpoint appears by accident', () => {
    expect(loadConfig({}).teams).toMatchObject({
      enabled: false,
      authType: 'ClientSecret',
      deprecatedNames: [],
      stopAllow: {},
      admins: [],
    });
  });

  it("reads the Agents SDK's connection settings", () => {
    const teams = loadConfig({
      [`${CONNECTION}clientId`]: APP,
      [`${CONNECTION}clientSecret`]: 'pw',
      [`${CONNECTION}tenantId`]: TENANT,
      [`${CONNECTION}authorityEndpoint`]: 'https://login.microsoftonline.us',
    }).teams;

    expect(teams).toMatchObject({
      enabled: true,
      clientId: APP,
      clientSecret: 'pw',
      tenantId: TENANT,
      authType: 'ClientSecret',
      authorityEndpoint: 'https://login.microsoftonline.us',
      deprecatedNames: [],
    });
  });

  it("reads the SDK's short names in any case, and the connection names win over them", () => {
    const teams = loadConfig({
      CLIENTID: APP,
      clientSecret: 'short',
      CONNECTIONS__serviceConnection__SETTINGS__clientSecret: 'connection',
      tenantid: TENANT,
    }).teams;

    expect(teams).toMatchObject({ clientId: APP, clientSecret: 'connection', tenantId: TENANT });
  });

  it('reads a user-assigned managed identity without a secret or tenant', () => {
    const teams = loadConfig({ clientId: APP, authType: 'usermanagedidentity' }).teams;

    expect(teams).toMatchObject({ enabled: true, authType: 'UserManagedIdentity', clientSecret: undefined });
  });

  it('keeps the Bot Framework names working and reports each as deprecated with its replacement', () => {
    const teams = loadConfig({
      MicrosoftAppId: APP,
      MicrosoftAppPassword: 'pw',
      MICROSOFT_APP_TENANT_ID: TENANT,
      MicrosoftAppType: 'SingleTenant',
    }).teams;

    expect(teams).toMatchObject({ enabled: true, clientId: APP, clientSecret: 'pw', tenantId: TENANT });
    expect(teams.deprecatedNames).toEqual([
      { name: 'MicrosoftAppId', use: `${CONNECTION}clientId` },
      { name: 'MicrosoftAppPassword', use: `${CONNECTION}clientSecret` },
      { name: 'MICROSOFT_APP_TENANT_ID', use: `${CONNECTION}tenantId` },
      { name: 'MicrosoftAppType', use: `${CONNECTION}authType` },
    ]);
  });

  it('maps the Bot Framework app types: MultiTenant needs no tenant, UserAssignedMSI is a managed identity', () => {
    const multi = loadConfig({
      MICROSOFT_APP_ID: APP,
      MICROSOFT_APP_PASSWORD: 'pw',
      MICROSOFT_APP_TYPE: 'multitenant',
    });
    const msi = loadConfig({ MicrosoftAppId: APP, MicrosoftAppType: 'UserAssignedMSI' });

    expect(multi.teams).toMatchObject({ authType: 'ClientSecret', tenantId: undefined });
    expect(msi.teams).toMatchObject({ authType: 'UserManagedIdentity' });
  });

  it('accepts TEAMS_SECRET_ARN in place of the secret (Lambda) and parses allow-lists as Slack does', () => {
    const teams = loadConfig({
      clientId: APP,
      tenantId: TENANT,
      TEAMS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lightsout-teams',
      TEAMS_STOP_ALLOW: `web=${TENANT.toUpperCase()}, ${APP};db=${APP}`,
      TEAMS_ADMINS: APP,
      TEAMS_FALLBACK_CHANNEL: '19:abc123@thread.tacv2',
    }).teams;

    expect(teams.clientSecret).toBeUndefined();
    expect(teams.stopAllow).toEqual({ web: [TENANT, APP], db: [APP] });
    expect(teams.admins).toEqual([APP]);
    expect(teams.fallbackChannel).toBe('19:abc123@thread.tacv2');
  });

  it('enables an unauthenticated local trial only when asked to', () => {
    expect(loadConfig({ TEAMS_ENABLED: 'true' }).teams).toMatchObject({ enabled: true, clientId: undefined });
  });

  it('names every missing or malformed variable', () => {
    const load = () =>
      loadConfig({
        MicrosoftAppId: 'abc',
        MicrosoftAppType: 'Both',
        authorityEndpoint: 'login.example',
        TEAMS_STOP_ALLOW: 'web=alice',
        TEAMS_ADMINS: 'bob',
      });

    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (e) {
      const text = (e as ConfigError).problems.join('\n');
      expect(text).toMatch(/MicrosoftAppId must be .*GUID/);
      expect(text).toMatch(/MicrosoftAppType must be one of SingleTenant, MultiTenant, UserAssignedMSI/);
      expect(text).toMatch(/__tenantId \(or tenantId; formerly MicrosoftAppTenantId\) is required/);
      expect(text).toMatch(/__clientSecret \(or clientSecret; formerly MicrosoftAppPassword\) is required/);
      expect(text).toMatch(/authorityEndpoint must be an Entra login URL/);
      expect(text).toMatch(/TEAMS_STOP_ALLOW must list Entra object ids \(GUIDs\); got "alice"/);
      expect(text).toMatch(/TEAMS_ADMINS must list Entra object ids \(GUIDs\); got "bob"/);
    }
  });

  it('refuses settings for two SDK connections, as the bot has one identity', () => {
    expect(() =>
      loadConfig({
        connections__a__settings__clientId: APP,
        connections__b__settings__tenantId: TENANT,
        clientSecret: 'pw',
      }),
    ).toThrow(/one Agents SDK connection; found settings for a, b/);
  });

  it('takes the client secret from the Lambda JSON secret and names what is wrong with it', () => {
    const teams = loadConfig({
      clientId: APP,
      tenantId: TENANT,
      TEAMS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t',
    }).teams;

    expect(withTeamsSecret(teams, '{"clientSecret":"s3cret"}').clientSecret).toBe('s3cret');
    expect(withTeamsSecret(teams, '{"appPassword":"older"}').clientSecret).toBe('older');
    expect(() => withTeamsSecret(teams, 'plain')).toThrow(/must be JSON: \{"clientSecret"/);
    expect(() => withTeamsSecret(teams, '{"password":"x"}')).toThrow(/lacks clientSecret/);
  });
});
