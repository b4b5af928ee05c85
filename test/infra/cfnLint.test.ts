/**
 * cfn-lint over the synthesized templates. It runs when the `cfn-lint` binary
 * is on PATH (`pip install cfn-lint`); when it is not, the test named
 * "cfn-lint NOT RUN" is reported as skipped with the reason, so the gap shows
 * in every test summary instead of passing silently. `npm run lint:cfn`
 * runs the same check on its own and fails if cfn-lint is missing.
 */
import { describe, expect, it } from 'vitest';
import { CFN_LINT_ACCEPTED, cfnLintAvailable, lintTemplates } from '../../infra/scripts/cfnLint.js';
import { useSynthesizedApp } from './synthesizedApp.js';

const available = cfnLintAvailable();

const s = useSynthesizedApp();

describe('cfn-lint', () => {
  it(available
    ? 'finds no errors or unexpected warnings in the templates'
    : 'cfn-lint NOT RUN: binary not on PATH', (ctx) => {
    if (!available) {
      ctx.skip('cfn-lint is not installed: pip install cfn-lint, then npm run lint:cfn');
      return;
    }
    // Act
    const findings = lintTemplates(s.outdir);

    // Assert
    expect(findings.filter((f) => !CFN_LINT_ACCEPTED[f.rule]).map((f) => `${f.rule} ${f.message}`)).toEqual(
      [],
    );
  }, 120_000); // cfn-lint is a Python process that loads every resource schema: seconds when idle, much more on a busy CI box.
});
