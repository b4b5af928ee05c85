import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { withTeamsSecret } from '../../src/config/teams.js';

const APP = '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b';
const TENANT = '9a7b1c2d-3e4f-5a6b-0f8e-6b1c3a2d4e5f';

describe('Teams config', () => {
  it('is off with nothing set, so no unauthenticated endpoint appears by accident', () => {
    expect(loadConfig({}).teams).toMatchObject({
      enabled: false,
      appType: 'SingleTenant',
      stopAllow: {},
      admins: [],
    });
  });

  it('reads the Azure Bot names', () => {
    const teams = loadConfig({
      MicrosoftAppId: APP,
      MicrosoftAppPassword: 'pw',
      MicrosoftAppTenantId: TENANT,
      MicrosoftAppType: 'SingleTenant',
    }).teams;

    expect(teams).toMatchObject({ enabled: true, appId: APP, appPassword: 'pw', tenantId: TENANT });
  });

  it('reads the upper-case names too, and the Azure names win when both are set', () => {
    const teams = loadConfig({
      MICROSOFT_APP_ID: APP,
      MICROSOFT_APP_PASSWORD: 'upper',
      MicrosoftAppPassword: 'azure',
      MICROSOFT_APP_TENANT_ID: TENANT,
      MICROSOFT_APP_TYPE: 'multitenant',
    }).teams;

    expect(teams).toMatchObject({
      appId: APP,
      appPassword: 'azure',
      tenantId: TENANT,
      appType: 'MultiTenant',
    });
  });

  it('accepts TEAMS_SECRET_ARN in place of the password (Lambda) and parses allow-lists as Slack does', () => {
    const teams = loadConfig({
      MICROSOFT_APP_ID: APP,
      MICROSOFT_APP_TENANT_ID: TENANT,
      TEAMS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lightsout-teams',
      TEAMS_STOP_ALLOW: `web=${TENANT.toUpperCase()}, ${APP};db=${APP}`,
      TEAMS_ADMINS: APP,
      TEAMS_FALLBACK_CHANNEL: '19:abc123@thread.tacv2',
    }).teams;

    expect(teams.appPassword).toBeUndefined();
    expect(teams.stopAllow).toEqual({ web: [TENANT, APP], db: [APP] });
    expect(teams.admins).toEqual([APP]);
    expect(teams.fallbackChannel).toBe('19:abc123@thread.tacv2');
  });

  it('enables an unauthenticated local trial only when asked to', () => {
    expect(loadConfig({ TEAMS_ENABLED: 'true' }).teams).toMatchObject({ enabled: true, appId: undefined });
  });

  it('names every missing or malformed variable', () => {
    const load = () =>
      loadConfig({
        MicrosoftAppId: 'abc',
        MicrosoftAppType: 'Both',
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
      expect(text).toMatch(/MicrosoftAppTenantId .* is required for a SingleTenant bot/);
      expect(text).toMatch(/MicrosoftAppPassword .* is required/);
      expect(text).toMatch(/TEAMS_STOP_ALLOW must list Entra object ids \(GUIDs\); got "alice"/);
      expect(text).toMatch(/TEAMS_ADMINS must list Entra object ids \(GUIDs\); got "bob"/);
    }
  });

  it('takes the client secret from the Lambda JSON secret and names what is wrong with it', () => {
    const teams = loadConfig({
      MICROSOFT_APP_ID: APP,
      MICROSOFT_APP_TENANT_ID: TENANT,
      TEAMS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t',
    }).teams;

    expect(withTeamsSecret(teams, '{"appPassword":"s3cret"}').appPassword).toBe('s3cret');
    expect(() => withTeamsSecret(teams, 'plain')).toThrow(/must be JSON: \{"appPassword"/);
    expect(() => withTeamsSecret(teams, '{"password":"x"}')).toThrow(/lacks appPassword/);
  });
});
