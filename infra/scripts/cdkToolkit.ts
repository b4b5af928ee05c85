/**
 * `npm run bootstrap|deploy|destroy`, through the CDK Toolkit library rather
 * than the `cdk` CLI: the toolkit library reads the cloud assembly that this
 * aws-cdk-lib writes (schema 55), which the pinned `aws-cdk` CLI cannot.
 * Settings come from cdk.json and `-c key=value`, exactly as with the CLI.
 *
 *   npm run bootstrap                         # every region the app deploys to
 *   npm run deploy -- -c operatorEmail=ops@example.com
 *   npm run destroy -- --force                # asks for --force: it deletes things
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BootstrapEnvironments,
  CdkAppMultiContext,
  StackSelectionStrategy,
  Toolkit,
} from '@aws-cdk/toolkit-lib';
import { PROJECT_ROOT } from '../lib/bundling.js';

export interface ToolkitArgs {
  command: 'bootstrap' | 'deploy' | 'destroy';
  context: Record<string, string>;
  force: boolean;
}

const USAGE = 'usage: cdkToolkit.ts bootstrap|deploy|destroy [-c key=value ...] [--force]';

/** Parses the command line; throws with the usage on anything it does not understand. */
export function parseToolkitArgs(argv: string[]): ToolkitArgs {
  const [command, ...rest] = argv;
  if (command !== 'bootstrap' && command !== 'deploy' && command !== 'destroy') {
    throw new Error(`unknown command "${command ?? ''}"; ${USAGE}`);
  }
  const context: Record<string, string> = {};
  let force = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--force' || arg === '-f') {
      force = true;
    } else if ((arg === '-c' || arg === '--context') && rest[i + 1]?.includes('=')) {
      const [key, ...value] = rest[++i]!.split('=');
      context[key!] = value.join('=');
    } else {
      throw new Error(`unexpected argument "${arg}"; ${USAGE}`);
    }
  }
  return { command, context, force };
}

async function main(): Promise<void> {
  const args = parseToolkitArgs(process.argv.slice(2));
  const toolkit = new Toolkit();
  const cx = await toolkit.fromCdkApp('npx tsx infra/bin/app.ts', {
    workingDirectory: PROJECT_ROOT,
    outdir: path.join(PROJECT_ROOT, 'cdk.out'),
    // cdk.json, cdk.context.json and ~/.cdk.json, then -c values on top, as the CLI does.
    contextStore: new CdkAppMultiContext(PROJECT_ROOT, args.context),
  });
  const stacks = { strategy: StackSelectionStrategy.ALL_STACKS };

  switch (args.command) {
    case 'bootstrap':
      await toolkit.bootstrap(BootstrapEnvironments.fromCloudAssemblySource(cx));
      break;
    case 'deploy':
      await toolkit.deploy(cx, { stacks });
      break;
    case 'destroy': {
      if (!args.force) {
        const listed = await toolkit.list(cx, { stacks });
        console.error(
          `This deletes ${listed.map((s) => s.name).join(', ')} (the table and log groups are kept). ` +
            'Run again with --force to go ahead: npm run destroy -- --force',
        );
        process.exit(1);
      }
      await toolkit.destroy(cx, { stacks });
      break;
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await main();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
