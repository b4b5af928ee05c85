import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('cleanup config', () => {
  it('defaults to tag-driven hooks with nothing configured', () => {
    const { cleanup } = loadConfig({});

    expect(cleanup).toMatchObject({
      enabled: true,
      dryRun: false,
      hostedZoneIds: [],
      cloudMapServices: [],
      webhookUrls: [],
      retry: { attempts: 4, baseDelayMs: 1000 },
      cloudMapCustomEndpoint: false,
    });
  });

  it('reads zones, services with regions, webhooks, retries and the custom endpoint', () => {
    const { cleanup } = loadConfig({
      AWS_REGION: 'eu-west-1',
      CLEANUP_HOSTED_ZONES: '/hostedzone/Z0123ABC, Z0456DEF',
      CLEANUP_CLOUDMAP_SERVICES: 'srv-abc,srv-def@us-east-1',
      CLEANUP_WEBHOOK_URLS: 'https://hooks.example.com/lightsout',
      WEBHOOK_SECRET: 'a-long-random-secret-value',
      CLEANUP_RETRY_ATTEMPTS: '2',
      CLEANUP_RETRY_BACKOFF: '5s',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
    });

    expect(cleanup.hostedZoneIds).toEqual(['Z0123ABC', 'Z0456DEF']);
    expect(cleanup.cloudMapServices).toEqual([
      { serviceId: 'srv-abc', region: 'eu-west-1' },
      { serviceId: 'srv-def', region: 'us-east-1' },
    ]);
    expect(cleanup.retry).toMatchObject({ attempts: 2, baseDelayMs: 5000 });
    expect(cleanup.cloudMapCustomEndpoint).toBe(true);
  });

  it('names every bad setting and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({
        CLEANUP_HOSTED_ZONES: 'zone-1',
        CLEANUP_CLOUDMAP_SERVICES: 'web',
        CLEANUP_WEBHOOK_URLS: 'ftp://x',
        CLEANUP_RETRY_ATTEMPTS: '0',
      });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'CLEANUP_HOSTED_ZONES must list Route53 hosted zone ids such as Z0123456789ABC; got "ZONE-1"',
      'CLEANUP_CLOUDMAP_SERVICES entry "web" is not a Cloud Map service id (example: srv-abc123 or srv-abc123@eu-west-1)',
      'CLEANUP_WEBHOOK_URLS must list http(s) URLs separated by commas; got "ftp://x"',
      expect.stringContaining('WEBHOOK_SECRET is required when CLEANUP_WEBHOOK_URLS is set'),
      'CLEANUP_RETRY_ATTEMPTS must be a whole number >= 1 and <= 10; got "0"',
    ]);
  });

  it('rejects credentials in webhook URLs without echoing them', () => {
    expect(() =>
      loadConfig({
        CLEANUP_WEBHOOK_URLS: 'https://bob:hunter2@hooks.example.com/x',
        WEBHOOK_SECRET: 'a-long-random-secret',
      }),
    ).toThrow(/must not carry credentials/);
    expect(() =>
      loadConfig({
        CLEANUP_WEBHOOK_URLS: 'https://bob:hunter2@hooks.example.com/x',
        WEBHOOK_SECRET: 'a-long-random-secret',
      }),
    ).not.toThrow(/hunter2/);
  });

  it('rejects a short webhook secret', () => {
    expect(() => loadConfig({ WEBHOOK_SECRET: 'short' })).toThrow(
      /WEBHOOK_SECRET must be at least 16 characters/,
    );
  });
});
