import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/core/duration.js';
import { type PolicyDefaults, readTagPolicy } from '../../src/core/tagPolicy.js';

const defaults: PolicyDefaults = {
  mode: 'opt-in',
  defaultGroup: 'all',
  defaultThresholdSeconds: 12 * HOUR,
  defaultRenotifySeconds: HOUR,
};

describe('readTagPolicy', () => {
  it('monitors Monitor=true case-insensitively in opt-in mode', () => {
    for (const value of ['true', 'TRUE', 'True', ' true ']) {
      expect(readTagPolicy({ Monitor: value }, defaults).monitored).toBe(true);
    }
    expect(readTagPolicy({}, defaults)).toMatchObject({ monitored: false, warnings: [] });
    expect(readTagPolicy({ Monitor: 'FALSE' }, defaults).monitored).toBe(false);
  });

  it('monitors everything but Monitor=false in opt-out mode', () => {
    const optOut = { ...defaults, mode: 'opt-out' as const };

    expect(readTagPolicy({}, optOut).monitored).toBe(true);
    expect(readTagPolicy({ Monitor: 'False' }, optOut).monitored).toBe(false);
  });

  it('warns about a Monitor value that is neither true nor false and applies the mode', () => {
    const policy = readTagPolicy({ Monitor: 'yes' }, defaults);

    expect(policy.monitored).toBe(false);
    expect(policy.warnings).toEqual(['Monitor "yes" is not true or false; using false (opt-in mode)']);
  });

  it('reads group, whole-hour and compound thresholds and renotify interval', () => {
    const policy = readTagPolicy(
      { Monitor: 'true', MonitorGroup: 'web', Threshold: '8', RenotifyEvery: '30m' },
      defaults,
    );

    expect(policy).toMatchObject({
      group: 'web',
      thresholdSeconds: 8 * HOUR,
      renotifySeconds: 30 * MINUTE,
      warnings: [],
    });
    expect(readTagPolicy({ Threshold: '1h30m' }, defaults).thresholdSeconds).toBe(90 * MINUTE);
    expect(readTagPolicy({ Threshold: '90m' }, defaults).thresholdSeconds).toBe(90 * MINUTE);
    expect(readTagPolicy({ Threshold: '2d' }, defaults).thresholdSeconds).toBe(48 * HOUR);
  });

  it('falls back to defaults with one warning per bad tag', () => {
    const policy = readTagPolicy(
      { Monitor: 'true', MonitorGroup: 'Web Team', Threshold: 'abc', RenotifyEvery: '0m' },
      defaults,
    );

    expect(policy).toMatchObject({
      monitored: true,
      group: 'all',
      thresholdSeconds: 12 * HOUR,
      renotifySeconds: HOUR,
    });
    expect(policy.warnings).toEqual([
      'MonitorGroup "Web Team" must be lower-case letters and digits only; using all',
      'Threshold "abc" is not a duration; using 12h',
      'RenotifyEvery "0m" is shorter than the minimum of 1m; using 1h',
    ]);
  });

  it('enforces the threshold bounds of 1 minute to 365 days', () => {
    expect(readTagPolicy({ Threshold: '30s' }, defaults).warnings).toEqual([
      'Threshold "30s" is shorter than the minimum of 1m; using 12h',
    ]);
    expect(readTagPolicy({ Threshold: '366d' }, defaults).warnings).toEqual([
      'Threshold "366d" is longer than the maximum of 365d; using 12h',
    ]);
    expect(readTagPolicy({ Threshold: '1m' }, defaults).thresholdSeconds).toBe(60);
  });
});
