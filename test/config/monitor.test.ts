import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

/** Every problem loadConfig reports for `env`; none when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('monitor and store config', () => {
  it('defaults to opt-in, group all, 12h threshold, hourly renotify and a one-minute sweep', () => {
    const config = loadConfig({ AWS_REGION: 'eu-west-1', HOME: '/home/ada' });

    expect(config.monitor).toMatchObject({
      regions: ['eu-west-1'],
      mode: 'opt-in',
      defaultGroup: 'all',
      defaultThresholdSeconds: 12 * 3600,
      defaultRenotifySeconds: 3600,
      reconcileEverySeconds: 60,
    });
  });

  it('keeps the SQLite file in the per-user state directory unless DB_PATH says otherwise', () => {
    const home = loadConfig({ HOME: '/home/ada' });
    const xdg = loadConfig({ HOME: '/home/ada', XDG_STATE_HOME: '/var/state/ada' });
    const relativeXdg = loadConfig({ HOME: '/home/ada', XDG_STATE_HOME: 'state' });
    const explicit = loadConfig({ HOME: '/home/ada', XDG_STATE_HOME: '/var/state/ada', DB_PATH: './x.db' });

    expect(home.store.sqlitePath).toBe('/home/ada/.local/state/lightsout/lightsout.db');
    expect(xdg.store.sqlitePath).toBe('/var/state/ada/lightsout/lightsout.db');
    // The XDG spec: a relative path is invalid and ignored.
    expect(relativeXdg.store.sqlitePath).toBe('/home/ada/.local/state/lightsout/lightsout.db');
    expect(explicit.store.sqlitePath).toBe('./x.db');
  });

  it('looks prices up unless PRICING=off, and names what works for anything else', () => {
    expect(loadConfig({}).monitor.priceLookups).toBe(true);
    expect(loadConfig({ PRICING: 'off' }).monitor.priceLookups).toBe(false);
    expect(problems({ PRICING: 'no' }).join('\n')).toMatch(/PRICING.*on.*off/);
  });

  it('reads a REGIONS list, opt-out mode and duration settings', () => {
    const config = loadConfig({
      REGIONS: 'us-east-1, eu-west-1',
      MONITOR_MODE: 'opt-out',
      DEFAULT_THRESHOLD: '1h30m',
      RENOTIFY_EVERY: '30m',
    });

    expect(config.monitor).toMatchObject({
      regions: ['us-east-1', 'eu-west-1'],
      mode: 'opt-out',
      defaultThresholdSeconds: 90 * 60,
      defaultRenotifySeconds: 30 * 60,
    });
  });

  it('names each malformed variable and what it expects', () => {
    const found = problems({
      MONITOR_MODE: 'sometimes',
      DEFAULT_GROUP: 'Web Team',
      DEFAULT_THRESHOLD: 'abc',
    });

    expect(found).toEqual(
      expect.arrayContaining([
        'MONITOR_MODE must be one of opt-in, opt-out; got "sometimes"',
        expect.stringMatching(/^DEFAULT_GROUP .*lower-case letters and digits only/),
        expect.stringMatching(/^DEFAULT_THRESHOLD must be a duration such as 12h; "abc"/),
      ]),
    );
  });
});

describe('OWNER_TAG', () => {
  it('defaults to Owner, takes any EC2 tag key, and names a bad one', () => {
    expect(loadConfig({}).monitor.ownerTag).toBe('Owner');
    expect(loadConfig({ OWNER_TAG: 'team:owner-email' }).monitor.ownerTag).toBe('team:owner-email');
    expect(() => loadConfig({ OWNER_TAG: 'owner<script>' })).toThrow(/OWNER_TAG must be an EC2 tag key/);
  });
});
