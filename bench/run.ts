/**
 * `npm run bench`: runs every benchmark module in turn. Each prints its own
 * figures; none asserts (timings belong here, never in tests). Add a module
 * with one entry in BENCHES. `npm run bench -- monitor` runs only the named
 * ones; `npm run bench -- --help` lists them.
 */
import { parseBenchArgs } from './args.js';

export interface Bench {
  name: string;
  run(): Promise<void>;
}

/** Loaded only when selected: some import the CDK toolchain or start moto. */
export const BENCHES: Record<string, { about: string; load: () => Promise<Bench> }> = {
  monitor: {
    about: 'a week of nags on a virtual clock, and a 10,000-instance reconcile sweep on moto (minutes)',
    load: async () => (await import('./monitor.js')).monitorBench,
  },
  cleanup: {
    about: 'DNS and Cloud Map cleanup planning over zones of 1,000 to 50,000 records',
    load: async () => (await import('./cleanup.js')).cleanupBench,
  },
  slack: {
    about: 'the Slack function: bundle size, cold start and handler times',
    load: async () => (await import('./slack.js')).slackBench,
  },
  bundles: {
    about: 'every Lambda handler bundled as the stack does, with sizes',
    load: async () => (await import('./bundles.js')).bundlesBench,
  },
  workloads: {
    about: 'stopping a 3-tier workload of 300 instances on moto, calls counted',
    load: async () => (await import('./workloads.js')).workloadsBench,
  },
  clicks: {
    about:
      'Stop/Snooze/Extend clicks in both runtimes at 0% and 30% EC2 throttling and during an EC2 hang (minutes; --instances=N, --hang-seconds=S)',
    load: async () => (await import('./clicks.js')).clicksBench,
  },
  idle: {
    about:
      'an idle check of 10,000 instances on moto: GetMetricData calls against ⌈metrics / 500⌉, wall time',
    load: async () => (await import('./idle.js')).idleBench,
  },
  prices: {
    about:
      'pricing 10,000 instances for 3 days: GetProducts calls against one per (type, region, OS) per day',
    load: async () => (await import('./prices.js')).pricesBenchModule,
  },
  digest: {
    about:
      'the weekly and 90-day digest over 10,000 instances × 90 days of runs: SQLite time, DynamoDB Queries and no Scan',
    load: async () => (await import('./digest.js')).digestBench,
  },
};

const parsed = parseBenchArgs(process.argv.slice(2), BENCHES);
if (parsed.kind === 'help') {
  process.stdout.write(parsed.text);
} else if (parsed.kind === 'error') {
  process.stderr.write(`bench: ${parsed.message}\n(run npm run bench -- --help for the list)\n`);
  process.exitCode = 2;
} else {
  for (const name of parsed.names) {
    const bench = await BENCHES[name]!.load();
    console.log(`\n=== ${bench.name} ===`);
    const started = performance.now();
    await bench.run();
    console.log(`(${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}
