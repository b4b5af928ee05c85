/** Teams settings. Filled in by the teams work; empty until then. */
import type { EnvReader } from './env.js';

// biome-ignore lint/complexity/noBannedTypes: placeholder until this section gains settings
export type TeamsConfig = {};

export function readTeamsConfig(_r: EnvReader): TeamsConfig {
  return {};
}
