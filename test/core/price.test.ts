import { describe, expect, it } from 'vitest';
import {
  costFigures,
  costSoFarUsd,
  DEFAULT_HOURLY_COST_TAG,
  formatCost,
  formatHourly,
  formatUsd,
  readHourlyCostTag,
} from '../../src/core/price.js';
import { readTagPolicy } from '../../src/core/tagPolicy.js';

const HOUR = 3600;
const at = '2026-11-21T10:00:00.000Z';

describe('the cost line', () => {
  it('shows the hourly price and the cost of the run so far', () => {
    // Act / Assert: 13 hours at $4.10
    expect(formatCost({ hourlyUsd: 4.1, source: 'on-demand', at }, 13 * HOUR)).toBe('$4.10/h · $53 so far');
    expect(formatCost({ hourlyUsd: 0.0104, source: 'on-demand', at }, 3 * HOUR)).toBe(
      '$0.0104/h · $0.03 so far',
    );
    expect(formatCost({ hourlyUsd: 0.0312, source: 'spot', at }, 2 * HOUR)).toBe(
      '$0.0312/h spot · $0.06 so far',
    );
    expect(formatCost({ hourlyUsd: 2, source: 'tag', at }, 1000 * HOUR)).toBe(
      '$2.00/h (tag) · $2,000 so far',
    );
  });

  it('says the price is unknown instead of showing $0', () => {
    expect(formatCost(undefined, 13 * HOUR)).toBe('price unknown');
    expect(costFigures(undefined, HOUR)).toBeUndefined();
  });

  it('formats hourly prices and sums by size', () => {
    expect(formatHourly(0.096)).toBe('$0.096/h');
    expect(formatHourly(0.5)).toBe('$0.50/h');
    expect(formatHourly(12.24)).toBe('$12.24/h');
    expect(formatUsd(0.004)).toBe('< $0.01');
    expect(formatUsd(9.994)).toBe('$9.99');
    expect(formatUsd(153.4)).toBe('$153');
    expect(costSoFarUsd({ hourlyUsd: 3.6 }, 90)).toBeCloseTo(0.09, 10);
    expect(costFigures({ hourlyUsd: 4.1, source: 'on-demand', at }, 13 * HOUR)).toEqual({
      hourlyUsd: 4.1,
      costSoFarUsd: 53.3,
      priceSource: 'on-demand',
    });
  });
});

describe('the HourlyCost tag', () => {
  it.each([
    ['4.10', 4.1],
    ['$4.10', 4.1],
    ['4.1/h', 4.1],
    [' 0.25 / hour ', 0.25],
    ['0', 0],
  ])('reads %j as $%s/h', (raw, usd) => {
    expect(readHourlyCostTag('HourlyCost', raw)).toEqual({ ok: true, hourlyUsd: usd });
  });

  it.each(['4,10', '4.10 EUR', 'cheap', '-1', '20000'])('refuses %j with a warning', (raw) => {
    const read = readHourlyCostTag('HourlyCost', raw);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.warning).toMatch(/^HourlyCost ".*" is .*; using the looked-up price$/);
  });

  it('becomes part of the tag policy, with a warning on the instance when malformed', () => {
    // Arrange
    const defaults = {
      mode: 'opt-in' as const,
      defaultGroup: 'all',
      defaultThresholdSeconds: 12 * HOUR,
      defaultRenotifySeconds: HOUR,
    };

    // Act
    const tagged = readTagPolicy({ Monitor: 'true', [DEFAULT_HOURLY_COST_TAG]: '1.25' }, defaults);
    const custom = readTagPolicy(
      { Monitor: 'true', 'cost:hourly': '0.5' },
      { ...defaults, hourlyCostTag: 'cost:hourly' },
    );
    const bad = readTagPolicy({ Monitor: 'true', Threshold: 'abc', HourlyCost: 'lots' }, defaults);

    // Assert
    expect(tagged.hourlyCostUsd).toBe(1.25);
    expect(tagged.warnings).toEqual([]);
    expect(custom.hourlyCostUsd).toBe(0.5);
    expect(bad.hourlyCostUsd).toBeUndefined();
    expect(bad.warnings).toEqual([
      'Threshold "abc" is not a duration; using 12h',
      'HourlyCost "lots" is not an hourly price in US dollars such as 4.10; using the looked-up price',
    ]);
  });
});
