import { describe, expect, it } from 'vitest';
import { DAY, formatDuration, HOUR, MINUTE, parseDuration } from '../../src/core/duration.js';
import { count } from '../../src/core/plural.js';

describe('formatDuration: one format for every duration shown', () => {
  it.each([
    [0, '0m'],
    [45, '45s'],
    [MINUTE, '1m'],
    [MINUTE + 22, '1m 22s'],
    [34 * MINUTE + 53, '34m 53s'],
    [2 * HOUR, '2h'],
    [2 * HOUR + MINUTE, '2h 01m'],
    [13 * HOUR + 2 * MINUTE + 59, '13h 02m'],
    [DAY, '1d'],
    [3 * DAY + 4 * HOUR + 10 * MINUTE, '3d 4h'],
    [365 * DAY, '365d'],
  ])('%i seconds read %s', (seconds, shown) => {
    expect(formatDuration(seconds)).toBe(shown);
  });

  it('never shows a negative or fractional duration', () => {
    expect(formatDuration(-5)).toBe('0m');
    expect(formatDuration(59.9)).toBe('59s');
  });

  it('writes what parseDuration accepts, so a shown value can be typed back', () => {
    for (const seconds of [45, 90, 2 * HOUR + MINUTE, DAY, 2 * DAY + 3 * HOUR]) {
      expect(parseDuration(formatDuration(seconds))).toEqual({ ok: true, seconds });
    }
  });
});

describe('count: plurals', () => {
  it('uses the singular for one and the plural otherwise', () => {
    expect(count(1, 'instance')).toBe('1 instance');
    expect(count(0, 'instance')).toBe('0 instances');
    expect(count(2, 'tier')).toBe('2 tiers');
    expect(count(1, 'reply', 'replies')).toBe('1 reply');
    expect(count(3, 'reply', 'replies')).toBe('3 replies');
  });
});
