import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings, SettingsError } from '../../infra/lib/settings.js';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readSettings', () => {
  it('uses the defaults and the CLI region when context is empty', () => {
    // Act
    const settings = readSettings(context({ regions: [], operatorEmail: '' }), 'eu-central-1');

    // Assert
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, regions: ['eu-central-1'] });
  });

  it('reads lists given as arrays or comma-separated strings (-c key=a,b)', () => {
    // Act
    const settings = readSettings(
      context({
        regions: 'eu-west-1, us-east-1',
        hostedZones: ['/hostedzone/Z0123456789ABC'],
        cloudMapServices: 'srv-0123456789abcdef',
      }),
    );

    // Assert
    expect(settings.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(settings.hostedZoneIds).toEqual(['Z0123456789ABC']);
    expect(settings.cloudMapServices).toEqual([{ serviceId: 'srv-0123456789abcdef', region: 'eu-west-1' }]);
  });

  it('reads functionEnvironment given as a JSON string on the command line', () => {
    // Act
    const settings = readSettings(context({ functionEnvironment: '{"SLACK_ADMINS":"U0123ABC"}' }));

    // Assert
    expect(settings.functionEnvironment).toEqual({ SLACK_ADMINS: 'U0123ABC' });
  });

  it('rejects functionEnvironment variables the stack does not pass on, and malformed values', () => {
    // Arrange
    const bad = context({
      functionEnvironment: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_REPEAT_NAGS: 'sometimes' },
    });

    // Act
    const problems = (() => {
      try {
        readSettings(bad);
        return [];
      } catch (e) {
        return (e as SettingsError).problems;
      }
    })();

    // Assert
    expect(problems[0]).toMatch(
      /^functionEnvironment\.SLACK_BOT_TOKEN is not a setting the stack passes on; allowed: SLACK_ADMINS/,
    );
    expect(problems).toHaveLength(1);
  });

  it('refuses a CHAT_ACTION_DEADLINE that with one worst-case try outlasts what Lambda lets a function run', () => {
    // Arrange: 15 minutes of retrying leaves no room for the try under way at the deadline.
    const tooLong = context({ functionEnvironment: { CHAT_ACTION_DEADLINE: '15m' } });
    const fits = context({ functionEnvironment: { CHAT_ACTION_DEADLINE: '10m' } });

    // Act
    const problems = (() => {
      try {
        readSettings(tooLong);
        return [];
      } catch (e) {
        return (e as SettingsError).problems;
      }
    })();

    // Assert: it names the settings, the sum and the largest deadline that fits.
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^CHAT_ACTION_DEADLINE \(15m\) plus one worst-case try of a click \(84s/);
    expect(problems[0]).toContain("more than Lambda's 900s");
    expect(problems[0]).toContain('Set CHAT_ACTION_DEADLINE to at most 786s');
    expect(readSettings(fits).functionEnvironment).toMatchObject({ CHAT_ACTION_DEADLINE: '10m' });
  });

  it('rejects values the functions would refuse at cold start, in their words', () => {
    // Arrange
    const bad = context({
      cleanupWebhookUrls: 'https://user:pass@hooks.example.com/x',
      functionEnvironment: { SLACK_REPEAT_NAGS: 'sometimes' },
    });

    // Act
    const problems = (() => {
      try {
        readSettings(bad);
        return [];
      } catch (e) {
        return (e as SettingsError).problems;
      }
    })();

    // Assert
    expect(problems.join('\n')).toMatch(
      /as the functions would read it: SLACK_REPEAT_NAGS must be one of update, new-message/,
    );
    expect(problems.join('\n')).toMatch(/as the functions would read it: CLEANUP_WEBHOOK_URLS/);
    expect(problems.join('\n')).not.toContain('pass@');
  });

  it('names every bad setting and what it expects, all at once', () => {
    // Arrange
    const bad = context({
      regions: ['eu-west-1', 'Mars'],
      monitorMode: 'sometimes',
      defaultGroup: 'Team A',
      defaultThreshold: 'forever',
      logRetentionDays: 10,
      hostedZones: ['example.com'],
      operatorEmail: 'ops',
    });

    // Act
    let error: unknown;
    try {
      readSettings(bad);
    } catch (e) {
      error = e;
    }

    // Assert
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    expect(problems).toContain('regions must list AWS regions such as us-east-1; got "Mars"');
    expect(problems).toContain('monitorMode must be opt-in or opt-out; got "sometimes"');
    expect(problems).toContain(
      'defaultGroup must be lower-case letters and digits only, at most 64; got "Team A"',
    );
    expect(problems).toMatch(/defaultThreshold must be a duration such as 12h; "forever" is not a duration/);
    expect(problems).toMatch(/logRetentionDays must be one of 1, 3, .*; got "10"/);
    expect(problems).toContain(
      'hostedZones must list hosted zone ids such as Z0123456789ABC; got "example.com"',
    );
    expect(problems).toContain('operatorEmail must be an email address; got "ops"');
    expect((error as SettingsError).problems).toHaveLength(7);
  });

  it('refuses a deployment with Slack off and no Teams bot, which no nag could reach', () => {
    // Act
    const act = () => readSettings(context({ slack: 'false' }));

    // Assert
    expect(act).toThrow(SettingsError);
    expect(act).toThrow(/slack is false and teamsAppId is not set: .*set teamsAppId and teamsTenantId/);
  });

  it('accepts a Teams-only deployment', () => {
    // Act
    const settings = readSettings(
      context({
        slack: 'false',
        teamsAppId: '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b',
        teamsTenantId: '9a7b1c2d-3e4f-5a6b-0f8e-6b1c3a2d4e5f',
      }),
    );

    // Assert
    expect(settings.slackEnabled).toBe(false);
    expect(settings.teamsAppId).toBe('0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b');
  });
});
