/**
 * Stop-when-idle and the nag's idle evidence: the thresholds an instance must
 * stay below, how often consents are checked, and the windows read.
 */
import { DAY, MINUTE } from '../core/duration.js';
import { DEFAULT_IDLE_THRESHOLDS, type IdleThresholds } from '../core/idle.js';
import type { EnvReader } from './env.js';

export interface IdleConfig {
  thresholds: IdleThresholds;
  /** How often idle consents are checked (5–15 minutes, as EC2's basic metrics arrive every 5). */
  checkEverySeconds: number;
  /** The idle window when `--when-idle` has no `--for`. */
  defaultWindowSeconds: number;
  /** The window the nag's evidence line sums up ("over the last 2h"). */
  evidenceWindowSeconds: number;
}

export function readIdleConfig(r: EnvReader): IdleConfig {
  return {
    thresholds: {
      cpuPercent: r.int('IDLE_CPU_PERCENT', DEFAULT_IDLE_THRESHOLDS.cpuPercent, { min: 1, max: 100 }),
      networkBytesPer5Min: r.int('IDLE_NETWORK_BYTES', DEFAULT_IDLE_THRESHOLDS.networkBytesPer5Min, {
        min: 1,
      }),
      gpuPercent: r.int('IDLE_GPU_PERCENT', DEFAULT_IDLE_THRESHOLDS.gpuPercent, { min: 1, max: 100 }),
    },
    checkEverySeconds: r.duration('IDLE_CHECK_EVERY', 5 * MINUTE, {
      minSeconds: 5 * MINUTE,
      maxSeconds: 15 * MINUTE,
      bareUnit: 'm',
    }),
    defaultWindowSeconds: r.duration('IDLE_WINDOW', 30 * MINUTE, { minSeconds: 5 * MINUTE, maxSeconds: DAY }),
    evidenceWindowSeconds: r.duration('IDLE_EVIDENCE_WINDOW', 2 * 3600, {
      minSeconds: 5 * MINUTE,
      maxSeconds: DAY,
    }),
  };
}
