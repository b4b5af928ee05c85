/** `lightsout` entry point (npm run lightsout, bin/lightsout.mjs). */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
