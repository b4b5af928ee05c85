import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { withSlackSecret } from '../../src/config/slack.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return err instanceof ConfigError ? err.problems : [String(err)];
  }
};

describe('Slack config', () => {
  it('is off when nothing Slack is set', () => {
    expect(loadConfig({}).slack).toMatchObject({
      enabled: false,
      port: 3000,
      apiUrl: 'https://slack.com/api/',
      repeatNags: 'update',
    });
  });

  it('reads the HTTP receiver settings, allow-lists and API URL', () => {
    const slack = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      SLACK_STOP_ALLOW: 'web=U111,S222; db=U333',
      SLACK_ADMINS: 'U999',
      SLACK_FALLBACK_CHANNEL: 'C0FALLBACK',
      SLACK_REPEAT_NAGS: 'new-message',
      PORT: '8080',
    }).slack;
    expect(slack).toMatchObject({
      enabled: true,
      apiUrl: 'http://127.0.0.1:9999/api/',
      stopAllow: { web: ['U111', 'S222'], db: ['U333'] },
      admins: ['U999'],
      fallbackChannel: 'C0FALLBACK',
      repeatNags: 'new-message',
      port: 8080,
    });
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET is required'],
    [{ SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN is required'],
    [
      { SLACK_BOT_TOKEN: 'xoxp-user', SLACK_SIGNING_SECRET: 's' },
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
    ],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' }, 'SLACK_APP_TOKEN must be an app-level token'],
    [
      {
        SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
        SLACK_BOT_TOKEN: 'xoxb-1',
      },
      'are both set',
    ],
    [
      {
        SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
        SLACK_APP_TOKEN: 'xapp-1',
      },
      'cannot be used with SLACK_SECRET_ARN',
    ],
    [{ SLACK_STOP_ALLOW: 'web:U1' }, 'SLACK_STOP_ALLOW must look like'],
    [{ SLACK_ADMINS: 'alice' }, 'SLACK_ADMINS must list Slack user'],
    [{ SLACK_FALLBACK_CHANNEL: '#general' }, 'SLACK_FALLBACK_CHANNEL must be a Slack channel id'],
    [{ SLACK_API_URL: 'not a url' }, 'SLACK_API_URL must be an absolute URL'],
  ])('rejects %o naming the variable', (env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  it('fills Lambda secrets from the JSON secret and names what is missing', () => {
    const base = loadConfig({
      SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
    }).slack;
    expect(withSlackSecret(base, '{"signingSecret":"s","botToken":"xoxb-1"}')).toMatchObject({
      signingSecret: 's',
      botToken: 'xoxb-1',
    });
    expect(() => withSlackSecret(base, '{"botToken":"xoxb-1"}')).toThrow('lacks signingSecret');
    expect(() => withSlackSecret(base, 'nope')).toThrow('must be JSON');
  });
});
