/**
 * Runs cfn-lint over synthesized templates. Used by `npm run lint:cfn` (which
 * synthesizes with stub bundling first) and by test/infra/cfnLint.test.ts.
 *
 *   npm run lint:cfn            # fails if cfn-lint is not installed
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { ALL_FEATURES } from '../lib/features.js';
import { buildLightsOut } from '../lib/lightsOutApp.js';
import { readSettings } from '../lib/settings.js';

export interface CfnLintFinding {
  rule: string;
  level: string;
  message: string;
  file: string;
}

/** Findings accepted on purpose, with the reason. */
export const CFN_LINT_ACCEPTED: Record<string, string> = {
  W3005:
    "CDK adds DependsOn on a function's role policy as well as the GetAtt on the role; the duplicate dependency is harmless.",
};

export function cfnLintAvailable(): boolean {
  return spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Lints every `*.template.json` in a cloud assembly directory. */
export function lintTemplates(outdir: string): CfnLintFinding[] {
  const templates = readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(outdir, f));
  const run = spawnSync('cfn-lint', ['--format', 'json', '--', ...templates], { encoding: 'utf8' });
  if (run.error) throw run.error;
  // Exit status is a bit mask of the levels found; the JSON carries the details.
  const parsed = JSON.parse(run.stdout || '[]') as {
    Rule: { Id: string };
    Level: string;
    Message: string;
    Filename: string;
  }[];
  return parsed.map((f) => ({ rule: f.Rule.Id, level: f.Level, message: f.Message, file: f.Filename }));
}

async function main(): Promise<void> {
  if (!cfnLintAvailable()) {
    console.error('cfn-lint is not on PATH. Install it with: pip install cfn-lint');
    process.exit(2);
  }
  const outdir = mkdtempSync(path.join(tmpdir(), 'lightsout-cfnlint-'));
  try {
    const app = new App({ outdir });
    const settings = readSettings((key) => app.node.tryGetContext(key), 'us-east-1');
    buildLightsOut(app, { settings, features: ALL_FEATURES, bundling: 'stub', account: '123456789012' });
    app.synth();
    const version = execFileSync('cfn-lint', ['--version'], { encoding: 'utf8' }).trim();
    const findings = lintTemplates(outdir);
    const unexpected = findings.filter((f) => !CFN_LINT_ACCEPTED[f.rule]);
    console.log(`${version}: ${findings.length} finding(s), ${findings.length - unexpected.length} accepted`);
    for (const f of unexpected) console.log(`${f.level} ${f.rule} ${path.basename(f.file)}: ${f.message}`);
    process.exit(unexpected.length ? 1 : 0);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
