import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize } from './synthesizedApp.js';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; acknowledgedId: string; reason: string }[];
  }[];
}

// One validated synth for the file: cdk-nag walks every resource of every stack.
let s: Synthesized;
let report: ValidationReport;
beforeAll(() => {
  // synthesize() throws "Validation failed" listing each finding if any is unacknowledged.
  s = synthesize({ validate: true });
  report = JSON.parse(readFileSync(path.join(s.outdir, 'validation-report.json'), 'utf8'));
});
afterAll(() => s?.dispose());

describe('cdk-nag AwsSolutions', () => {
  it('ran over the app and reports zero unacknowledged findings', () => {
    // Act
    const aws = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');

    // Assert
    expect(aws).toBeDefined();
    expect(aws!.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs[0]?.constructPath}`)).toEqual(
      [],
    );
    expect(aws!.conclusion).toBe('success');
  });

  it('gives every acknowledged finding a reason of substance', () => {
    // Arrange
    const acknowledged = report.pluginReports.flatMap((r) => r.suppressedViolations ?? []);

    // Assert
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) expect(a.reason.length, a.acknowledgedId).toBeGreaterThan(40);
  });

  it('acknowledges IAM wildcards one exact resource at a time, never the whole rule', () => {
    const ids = report.pluginReports
      .flatMap((r) => r.suppressedViolations ?? [])
      .map((a) => a.acknowledgedId);
    expect(ids).not.toContain('AwsSolutions::AwsSolutions-IAM5');
    expect(ids.filter((id) => id.includes('IAM5')).every((id) => /IAM5\[Resource::.+\]$/.test(id))).toBe(
      true,
    );
  });
});
