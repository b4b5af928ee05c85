/**
 * `npm start` in a checkout: the single process, run from source. It shares
 * its lifetime (start, run until SIGINT/SIGTERM, stop cleanly) with
 * `lightsout start` (src/local/run.ts) but not the CLI's modules, so it starts
 * as fast as before. A bad setting stops start-up with a message naming the
 * variable (exit 2).
 */
import { type Config, ConfigError, loadConfig } from '../config/index.js';
import { runUntilSignalled } from './run.js';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`lightsout: cannot start.\n${err.message}\n`);
  process.exit(2);
}
try {
  process.exitCode = await runUntilSignalled(config);
} catch (err) {
  process.stderr.write(`lightsout: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
