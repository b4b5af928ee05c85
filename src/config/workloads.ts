/** Workloads settings. Filled in by the workloads work; empty until then. */
import type { EnvReader } from './env.js';

// biome-ignore lint/complexity/noBannedTypes: placeholder until this section gains settings
export type WorkloadsConfig = {};

export function readWorkloadsConfig(_r: EnvReader): WorkloadsConfig {
  return {};
}
