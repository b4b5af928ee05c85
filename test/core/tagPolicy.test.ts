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

  it('bounds MonitorGroup to 64 characters: longer falls back to the default with a short warning', () => {
    const long = 'a'.repeat(300);

    const at64 = readTagPolicy({ Monitor: 'true', MonitorGroup: 'b'.repeat(64) }, defaults);
    const over = readTagPolicy({ Monitor: 'true', MonitorGroup: long }, defaults);
    const hostile = readTagPolicy({ Monitor: 'true', MonitorGroup: `Web ${'x'.repeat(4000)}` }, defaults);

    expect(at64).toMatchObject({ group: 'b'.repeat(64), warnings: [] });
    expect(over.group).toBe('all');
    expect(over.warnings).toEqual([
      `MonitorGroup "${'a'.repeat(100)}…" is longer than 64 characters; using all`,
    ]);
    expect(hostile.group).toBe('all');
    expect(hostile.warnings[0]).toMatch(/^MonitorGroup "Web x+…" must be lower-case letters and digits only/);
    expect(hostile.warnings[0]!.length).toBeLessThan(200);
  });

  it('quotes at most 100 characters of a bad Threshold or Monitor value', () => {
    const policy = readTagPolicy({ Monitor: 'y'.repeat(5000), Threshold: 'z'.repeat(5000) }, defaults);

    expect(policy.warnings).toHaveLength(2);
    for (const w of policy.warnings) expect(w.length).toBeLessThan(200);
    expect(policy.warnings[1]).toBe(`Threshold "${'z'.repeat(100)}…" is not a duration; using 12h`);
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
