/**
 * CDK entry point (`npm run synth|deploy|destroy`). Settings come from CDK
 * context (cdk.json, or `-c key=value`); see docs/readme/deploy.md.
 * Features are deployed once their handler files exist in src/lambda/.
 */
import { Annotations, App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../lib/bundling.js';
import { scanFeatures } from '../lib/features.js';
import { buildLightsOut } from '../lib/lightsOutApp.js';
import { readSettings, SettingsError } from '../lib/settings.js';

const app = new App();
try {
  const settings = readSettings((key) => app.node.tryGetContext(key), process.env.CDK_DEFAULT_REGION);
  const scan = scanFeatures(PROJECT_ROOT);
  if (!scan.present.includes('monitoring')) {
    throw new Error(
      `The monitoring engine's handlers are missing (${scan.missing.join(', ')}); there is nothing to deploy yet.`,
    );
  }
  const { main } = buildLightsOut(app, {
    settings,
    features: scan.present,
    bundling: 'esbuild',
    account: process.env.CDK_DEFAULT_ACCOUNT,
    stackName: app.node.tryGetContext('stackName') ?? 'LightsOut',
  });
  if (scan.missing.length) {
    Annotations.of(main).addInfo(`Not deployed yet, handler files missing: ${scan.missing.join(', ')}`);
  }
  app.synth();
} catch (err) {
  console.error(err instanceof SettingsError || err instanceof Error ? err.message : err);
  process.exit(1);
}
