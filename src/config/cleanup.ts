/** Cleanup settings. Filled in by the cleanup work; empty until then. */
import type { EnvReader } from './env.js';

// biome-ignore lint/complexity/noBannedTypes: placeholder until this section gains settings
export type CleanupConfig = {};

export function readCleanupConfig(_r: EnvReader): CleanupConfig {
  return {};
}
