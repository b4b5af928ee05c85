/**
 * CDK entry point. `npm run bootstrap|deploy|destroy` run it through the CDK
 * Toolkit library (infra/scripts/cdkToolkit.ts), as would `cdk` CLI commands;
 * `npm run synth` runs it directly and writes cdk.out/.
 * Settings come from CDK context (cdk.json, or `-c key=value`); see
 * docs/deploy.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../lib/bundling.js';
import { ALL_FEATURES } from '../lib/features.js';
import { buildLightsOut } from '../lib/lightsOutApp.js';
import { readSettings, SettingsError } from '../lib/settings.js';

// Under the toolkit or CLI, CDK_OUTDIR says where to write; run directly, write cdk.out/.
const underCli = process.env.CDK_OUTDIR !== undefined;
const app = new App(underCli ? {} : { outdir: path.join(PROJECT_ROOT, 'cdk.out'), context: directContext() });

/** Run directly, the CLI's job of reading cdk.json and `-c key=value` arguments falls to us. */
function directContext(): Record<string, unknown> {
  const file = path.join(PROJECT_ROOT, 'cdk.json');
  const context = existsSync(file) ? { ...JSON.parse(readFileSync(file, 'utf8')).context } : {};
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '-c' || args[i] === '--context') && args[i + 1]?.includes('=')) {
      const [key, ...value] = args[++i]!.split('=');
      context[key!] = value.join('=');
    }
  }
  return context;
}
try {
  const settings = readSettings((key) => app.node.tryGetContext(key), process.env.CDK_DEFAULT_REGION);
  buildLightsOut(app, {
    settings,
    features: ALL_FEATURES,
    bundling: 'esbuild',
    account: process.env.CDK_DEFAULT_ACCOUNT,
    stackName: app.node.tryGetContext('stackName') ?? 'LightsOut',
  });
  const assembly = app.synth();
  if (!underCli) {
    for (const stack of assembly.stacks)
      console.log(`${stack.stackName} (${stack.environment.region}): ${stack.templateFullPath}`);
  }
} catch (err) {
  console.error(err instanceof SettingsError || err instanceof Error ? err.message : err);
  process.exit(1);
}
