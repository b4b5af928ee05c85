/**
 * Real esbuild bundles of every Lambda handler, built with exactly the options
 * the CDK stack uses (infra/lib/bundling.ts), with their sizes against the
 * targets: ≤ 1.0 MB for every function whose bundle carries Teams code (found
 * in the bundle itself, not from a list: chatNotify, teamsMessages,
 * workloadStep, teamsDigest), ≤ 1.5 MB for the Slack-only slackEvents and
 * digest (whose chart renderer's WebAssembly and font are counted on a line of
 * their own), ≤ 500 KB for the engine's stateChange, nagDue and reconcile.
 * Also shows the largest packages in each, which is where to look when a
 * bundle grows.
 *
 *   npm run bench -- bundles        # or: npx tsx bench/bundles.ts
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { type BundledPlatforms, bundleOptions, HANDLER_ASSETS, PROJECT_ROOT } from '../infra/lib/bundling.js';
import { FEATURE_HANDLERS } from '../infra/lib/features.js';
import { handlerEntry } from '../infra/lib/handlerFunction.js';

const KB = 1024;
const MB = 1024 * KB;

/** Every function that carries Teams code (the Agents SDK or src/chat/teams) stays within this. */
export const TEAMS_FUNCTION_LIMIT = 1.0 * MB;
const TEAMS_CODE = /(^|\/)(src\/chat\/teams\/|node_modules\/@microsoft\/agents-)/;

/**
 * Size budgets of the functions without Teams code; handlers without one are
 * reported without a verdict. A bundle with Teams code gets TEAMS_FUNCTION_LIMIT
 * whatever is listed here.
 */
export const BUNDLE_TARGETS: Record<string, number> = {
  stateChange: 500 * KB,
  nagDue: 500 * KB,
  reconcile: 500 * KB,
  // Slack only: Bolt, and for the digest echarts and zrender (~490 KB) with the chart's
  // WebAssembly and font beside the bundle (HANDLER_ASSETS, reported on a line of their own).
  slackEvents: 1.5 * MB,
  digest: 1.5 * MB,
};

export interface BundleReport {
  handler: string;
  bytes: number;
  gzipBytes: number;
  target?: number;
  /** Whether the bundle carries Teams code (then its target is TEAMS_FUNCTION_LIMIT). */
  teamsCode: boolean;
  /** Largest contributors: package name (or source dir) and bytes in the output. */
  largest: [string, number][];
  /** Files copied beside the bundle (HANDLER_ASSETS): names and total bytes. */
  assets?: { names: string[]; bytes: number };
  /** Whether Node can import the bundle (module-level code of every bundled package runs); the error if not. */
  loads: true | string;
}

const fmt = (n: number) => (n >= MB ? `${(n / MB).toFixed(2)} MB` : `${(n / KB).toFixed(0)} KB`);

/**
 * Bytes per package (its innermost node_modules directory, so a copy nested
 * under another package counts for itself), or per source directory. Copies of
 * one package installed in several places are added up and labelled
 * `name ×N`: esbuild cannot merge them, so each copy costs its full size.
 */
function largestInputs(meta: Metafile, top: number): [string, number][] {
  const output = Object.values(meta.outputs).find((o) => o.entryPoint);
  const byPackage = new Map<string, { bytes: number; copies: Set<string> }>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const [, dir = path.dirname(file), pkg = dir] =
      /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(file) ?? [];
    const entry = byPackage.get(pkg) ?? { bytes: 0, copies: new Set<string>() };
    entry.bytes += bytesInOutput;
    entry.copies.add(dir);
    byPackage.set(pkg, entry);
  }
  return [...byPackage]
    .map(([pkg, { bytes, copies }]): [string, number] => [
      copies.size > 1 ? `${pkg} ×${copies.size}` : pkg,
      bytes,
    ])
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
}

/**
 * Bundles one handler as the stack does and measures it. `platforms` is the
 * deployment's chat platforms (the stack leaves the other's SDK out); both by default.
 */
export async function bundleHandler(
  handler: string,
  outdir: string,
  platforms?: BundledPlatforms,
): Promise<BundleReport> {
  const o = bundleOptions({ platforms });
  const label = platforms ? `${handler} (${platforms.slack ? 'Slack' : 'Teams'} only)` : handler;
  const outfile = path.join(outdir, label.replace(/\W+/g, '-'), 'index.mjs');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(PROJECT_ROOT, handlerEntry(handler))],
    bundle: true,
    outfile,
    minify: o.minify,
    sourcemap: o.sourcemap,
    sourcesContent: o.sourcesContent,
    target: o.target,
    format: o.format,
    platform: o.platform,
    mainFields: o.mainFields,
    external: o.external,
    banner: { js: o.banner },
    alias: o.alias,
    metafile: true,
    logLevel: 'error',
  });
  const assets = HANDLER_ASSETS[handler];
  const teamsCode = Object.keys(result.metafile.inputs).some((f) => TEAMS_CODE.test(f));
  for (const a of assets ?? []) {
    copyFileSync(path.join(PROJECT_ROOT, 'node_modules', a.source), path.join(path.dirname(outfile), a.name));
  }
  return {
    handler: label,
    ...(assets
      ? {
          assets: {
            names: assets.map((a) => a.name),
            bytes: assets.reduce(
              (sum, a) => sum + statSync(path.join(path.dirname(outfile), a.name)).size,
              0,
            ),
          },
        }
      : {}),
    bytes: statSync(outfile).size,
    gzipBytes: gzipSync(readFileSync(outfile)).length,
    teamsCode,
    target: teamsCode ? TEAMS_FUNCTION_LIMIT : BUNDLE_TARGETS[handler],
    largest: largestInputs(result.metafile, 3),
    loads: importCheck(outfile),
  };
}

/**
 * Imports the bundle in a fresh Node process, as Lambda's init does. This runs
 * every bundled package's module-level code, so a module stubbed by
 * UNUSED_ON_LAMBDA that is needed at load time shows up here.
 */
function importCheck(outfile: string): true | string {
  const run = spawnSync(
    process.execPath,
    [
      '--enable-source-maps',
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(pathToFileURL(outfile).href)});`,
    ],
    { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } },
  );
  if (run.status === 0) return true;
  return (
    (run.stderr || run.error?.message || `exit ${run.status}`).split('\n').find((l) => /Error/.test(l)) ??
    'failed'
  );
}

export async function bundleAll(): Promise<BundleReport[]> {
  // Under the project so the bundles resolve the external AWS SDK from node_modules, as Lambda's runtime provides it.
  const cache = path.join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(path.join(cache, 'lightsout-bundles-'));
  try {
    const reports: BundleReport[] = [];
    const handlers = Object.values(FEATURE_HANDLERS).flat();
    for (const handler of handlers) reports.push(await bundleHandler(handler, outdir));
    // A deployment with one chat platform leaves the other's SDK out of every function.
    for (const handler of handlers.filter((h) => h === 'chatNotify' || h === 'workloadStep')) {
      reports.push(await bundleHandler(handler, outdir, { slack: true, teams: false }));
      reports.push(await bundleHandler(handler, outdir, { slack: false, teams: true }));
    }
    return reports;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function print(reports: BundleReport[]): void {
  console.log('ESM, minified, node24, AWS SDK v3 external (from the runtime); size excludes the source map');
  console.log(
    `${'function'.padEnd(28)}${'bundle'.padStart(10)}${'gzip'.padStart(10)}  ${'target'.padEnd(18)}${'import'.padEnd(8)}largest packages`,
  );
  for (const r of reports) {
    const verdict =
      r.target === undefined
        ? '-'
        : r.bytes <= r.target
          ? `<= ${fmt(r.target)} ok`
          : `> ${fmt(r.target)} OVER`;
    const largest = r.largest.map(([p, b]) => `${p} ${fmt(b)}`).join(', ');
    const loads = r.loads === true ? 'ok' : 'FAILS';
    console.log(
      `${r.handler.padEnd(28)}${fmt(r.bytes).padStart(10)}${fmt(r.gzipBytes).padStart(10)}  ${verdict.padEnd(18)}${loads.padEnd(8)}${largest}`,
    );
    if (r.assets) console.log(`  + beside the bundle: ${r.assets.names.join(', ')} (${fmt(r.assets.bytes)})`);
    if (r.loads !== true) console.log(`  import failed: ${r.loads}`);
  }
}

export const bundlesBench = {
  name: 'bundles',
  async run() {
    print(await bundleAll());
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bundlesBench.run();
