/**
 * `npm start` in a checkout: the single process, run from source. The same
 * code as `lightsout start` in an installed package, so the two cannot drift.
 */
import { runCli } from '../cli/program.js';

process.exitCode = await runCli(['start', ...process.argv.slice(2)]);
