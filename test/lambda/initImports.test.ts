/**
 * What the chat functions load at init. With the AWS SDK external (the
 * default deployment), every static import of an SDK package in the bundle
 * runs at init; EC2 alone costs ~300 ms, which would put the Slack function
 * over its 300 ms init target (issue 3). These functions load EC2, SSM,
 * Route53 and Cloud Map only at first use, through a literal `import()`.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleOptions, PROJECT_ROOT } from '../../infra/lib/bundling.js';

const LOADED_AT_FIRST_USE = [
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-route-53',
  '@aws-sdk/client-servicediscovery',
];

async function sdkImports(entry: string) {
  const opts = bundleOptions();
  const result = await build({
    ...opts,
    banner: { js: opts.banner },
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    write: false,
    outfile: join(PROJECT_ROOT, 'node_modules/.cache/init-imports/index.mjs'),
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
    metafile: true,
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  const of = (kind: string) =>
    [
      ...new Set(
        imports
          .filter((i) => i.external && i.kind === kind && i.path.startsWith('@aws-sdk/'))
          .map((i) => i.path),
      ),
    ].sort();
  return { atInit: of('import-statement'), atFirstUse: of('dynamic-import') };
}

describe('chat functions at init', () => {
  it.each(['src/lambda/slackEvents.ts', 'src/lambda/chatNotify.ts'])(
    '%s imports EC2, SSM, Route53 and Cloud Map only at first use',
    async (entry) => {
      // Act
      const { atInit, atFirstUse } = await sdkImports(entry);

      // Assert
      for (const pkg of LOADED_AT_FIRST_USE) expect(atInit).not.toContain(pkg);
      expect(atFirstUse).toEqual(expect.arrayContaining(['@aws-sdk/client-ec2', '@aws-sdk/client-ssm']));
      expect(atInit).toContain('@aws-sdk/client-dynamodb');
    },
    30_000,
  );
});
