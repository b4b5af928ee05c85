#!/usr/bin/env node
// Runs the compiled CLI from dist/js/ (built by `npm run build`, and by `prepack`
// before `npm pack`/`npm publish`), so an installed package needs no
// TypeScript tooling. In a checkout without a build, say how to get one.
import { existsSync } from 'node:fs';

const main = new URL('../dist/js/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'lightsout: dist/ is missing. In a checkout, run `npm run build` first, or `npm run lightsout -- <command>` to run from source.\n',
  );
  process.exit(1);
}
await import(main.href);
