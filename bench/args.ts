/**
 * The command line of `npm run bench`: bench names, `--help`, and the flags
 * the benches read themselves. Anything else is a mistake worth stopping for,
 * since a typo would otherwise start the several-minute run of everything.
 */
import { parseArgs } from 'node:util';

export type BenchArgs =
  | { kind: 'run'; names: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

/** Flags read by the benches from process.argv (monitor, workloads). */
const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  instances: { type: 'string' },
  'skip-moto': { type: 'boolean' },
  'hang-seconds': { type: 'string' },
  runtime: { type: 'string' },
  scenario: { type: 'string' },
  profile: { type: 'string' },
} as const;

export function parseBenchArgs(argv: string[], benches: Record<string, { about: string }>): BenchArgs {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof FLAGS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true });
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  // The benches read `--instances=N` only; the spaced form would be ignored without a word.
  if (argv.includes('--instances')) return { kind: 'error', message: 'write --instances=N (with "=")' };
  const known = Object.keys(benches);
  if (parsed.values.help) return { kind: 'help', text: helpText(benches) };
  const unknown = parsed.positionals.filter((n) => !known.includes(n));
  if (unknown.length) {
    return {
      kind: 'error',
      message: `unknown bench ${unknown.map((n) => `"${n}"`).join(', ')}; the benches are ${known.join(', ')}`,
    };
  }
  const { instances } = parsed.values;
  if (instances !== undefined && !/^[1-9]\d*$/.test(instances)) {
    return { kind: 'error', message: `--instances must be a whole number above 0; got "${instances}"` };
  }
  return {
    kind: 'run',
    names: parsed.positionals.length ? known.filter((n) => parsed.positionals.includes(n)) : known,
  };
}

function helpText(benches: Record<string, { about: string }>): string {
  const width = Math.max(...Object.keys(benches).map((n) => n.length));
  return [
    'Usage: npm run bench -- [bench...] [--instances=N] [--skip-moto]',
    '',
    'Runs the named benches, or all of them, and prints their figures.',
    '',
    'Benches:',
    ...Object.entries(benches).map(([name, b]) => `  ${name.padEnd(width)}  ${b.about}`),
    '',
    'Options:',
    '  --instances=N  instances for monitor (default 10000), workloads (default 300) and digest (default 10000)',
    '  --skip-moto    monitor: only the simulated week, no sweep on moto',
    '  --runtime=single|lambda  clicks: only that runtime',
    '  --scenario=TEXT  clicks: only the scenarios whose name contains TEXT (healthy, throttled, hung)',
    '  --profile=DIR  clicks: the single process writes a CPU profile (node --cpu-prof) into DIR',
    '  -h, --help     this list',
    '',
  ].join('\n');
}
