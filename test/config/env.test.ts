import { describe, expect, it } from 'vitest';
import { EnvReader } from '../../src/config/env.js';
import { HOUR } from '../../src/core/duration.js';

describe('EnvReader', () => {
  it('reads well-formed values, and the fallback when a variable is unset or blank', () => {
    const r = new EnvReader({
      N: ' 7 ',
      B: 'on',
      L: 'INFO',
      D: '90m',
      M: 'xoxb-1',
      U: 'https://x.example/',
      E: '  ',
    });

    expect(r.int('N', 1, { min: 1, max: 10 })).toBe(7);
    expect(r.bool('B', false)).toBe(true);
    expect(r.oneOf('L', ['debug', 'info'] as const, 'debug')).toBe('info');
    expect(r.duration('D', HOUR)).toBe(90 * 60);
    expect(r.matching('M', /^xoxb-/, 'a bot token')).toBe('xoxb-1');
    expect(r.url('U')).toBe('https://x.example/');
    expect(r.int('E', 3)).toBe(3);
    expect(r.bool('UNSET', true)).toBe(true);
    expect(r.problems).toEqual([]);
  });

  it('names each malformed variable with what it expects and what it got, and keeps the fallback', () => {
    const r = new EnvReader({
      N: '11',
      F: '1.5',
      B: 'maybe',
      L: 'loud',
      D: 'soon',
      M: 'xoxp-1',
      U: 'not a url',
    });

    const values = [
      r.int('N', 1, { min: 1, max: 10 }),
      r.int('F', 2),
      r.bool('B', false),
      r.oneOf('L', ['debug', 'info'] as const, 'debug'),
      r.duration('D', HOUR),
      r.matching('M', /^xoxb-/, 'a bot token starting with xoxb-'),
      r.url('U'),
    ];

    expect(values).toEqual([1, 2, false, 'debug', HOUR, undefined, undefined]);
    expect(r.problems).toEqual([
      'N must be a whole number >= 1 and <= 10; got "11"',
      'F must be a whole number; got "1.5"',
      'B must be true or false; got "maybe"',
      'L must be one of debug, info; got "loud"',
      expect.stringMatching(/^D must be a duration such as 1h; "soon" /),
      'M must be a bot token starting with xoxb-; got "xoxp-1"',
      'U must be an absolute URL; got "not a url"',
    ]);
  });
});
