/** Slack settings. Filled in by the slack work; empty until then. */
import type { EnvReader } from './env.js';

// biome-ignore lint/complexity/noBannedTypes: placeholder until this section gains settings
export type SlackConfig = {};

export function readSlackConfig(_r: EnvReader): SlackConfig {
  return {};
}
