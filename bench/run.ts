/**
 * `npm run bench`: runs every benchmark module in turn. Each prints its own
 * figures; none asserts (timings belong here, never in tests). Add a module
 * with one line in BENCHES. `npm run bench -- monitor` runs only the named ones.
 */
export interface Bench {
  name: string;
  run(): Promise<void>;
}

const BENCHES: Array<() => Promise<Bench>> = [
  async () => (await import('./monitor.js')).monitorBench,
  async () => (await import('./cleanup.js')).cleanupBench,
  async () => (await import('./slack.js')).slackBench,
  async () => (await import('./bundles.js')).bundlesBench,
  async () => (await import('./workloads.js')).workloadsBench,
];

// Names select benches; `--flags` belong to the benches themselves.
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const load of BENCHES) {
  const bench = await load();
  if (only.length && !only.includes(bench.name)) continue;
  console.log(`\n=== ${bench.name} ===`);
  const started = performance.now();
  await bench.run();
  console.log(`(${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
