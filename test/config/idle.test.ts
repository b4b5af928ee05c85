import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('idle config', () => {
  it('defaults to CPU < 5%, network < 1 MB per 5 minutes, GPU < 5%, a check every 5m, a 30m window and 2h of evidence', () => {
    expect(loadConfig({}).idle).toEqual({
      thresholds: { cpuPercent: 5, networkBytesPer5Min: 1_000_000, gpuPercent: 5 },
      checkEverySeconds: 300,
      defaultWindowSeconds: 1800,
      evidenceWindowSeconds: 7200,
    });
  });

  it('reads every setting', () => {
    const idle = loadConfig({
      IDLE_CPU_PERCENT: '10',
      IDLE_NETWORK_BYTES: '5000000',
      IDLE_GPU_PERCENT: '2',
      IDLE_CHECK_EVERY: '15',
      IDLE_WINDOW: '1h',
      IDLE_EVIDENCE_WINDOW: '6h',
    }).idle;

    expect(idle).toEqual({
      thresholds: { cpuPercent: 10, networkBytesPer5Min: 5_000_000, gpuPercent: 2 },
      checkEverySeconds: 900,
      defaultWindowSeconds: 3600,
      evidenceWindowSeconds: 21600,
    });
  });

  it('names each bad value and what it expects', () => {
    const found = problems({ IDLE_CPU_PERCENT: '0', IDLE_CHECK_EVERY: '1m', IDLE_GPU_PERCENT: 'lots' });

    expect(found).toEqual([
      'IDLE_CPU_PERCENT must be a whole number >= 1 and <= 100; got "0"',
      'IDLE_GPU_PERCENT must be a whole number >= 1 and <= 100; got "lots"',
      'IDLE_CHECK_EVERY must be a duration such as 5m; "1m" is shorter than the minimum of 5m',
    ]);
  });
});
