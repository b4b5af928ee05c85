/**
 * The monitor settings most tests run with: opt-in, a 12 h threshold, hourly
 * repeats, one region. A test names only what it is about (`{ regions }`,
 * `{ defaultThresholdSeconds: 60 }`), so the setting under test stands out.
 */
import { HOUR } from '../../src/core/duration.js';
import type { MonitorSettings } from '../../src/services/monitor/context.js';

export function testMonitorSettings(overrides: Partial<MonitorSettings> = {}): MonitorSettings {
  return {
    mode: 'opt-in',
    defaultGroup: 'all',
    defaultThresholdSeconds: 12 * HOUR,
    defaultRenotifySeconds: HOUR,
    regions: ['eu-west-1'],
    tombstoneTtlSeconds: 24 * HOUR,
    ...overrides,
  };
}
