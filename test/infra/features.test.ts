import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanFeatures } from '../../infra/lib/features.js';
import { resourcesOfType, synthesize } from './synthesizedApp.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function projectWith(handlers: string[]): string {
  root = mkdtempSync(path.join(tmpdir(), 'lightsout-features-'));
  mkdirSync(path.join(root, 'src', 'lambda'), { recursive: true });
  for (const h of handlers)
    writeFileSync(path.join(root, 'src', 'lambda', `${h}.ts`), 'export const handler = 1;\n');
  return root;
}

describe('scanFeatures', () => {
  it('deploys a feature only when all of its handler files exist', () => {
    // Arrange
    const dir = projectWith(['stateChange', 'nagDue', 'reconcile', 'slackEvents', 'teamsMessages']);

    // Act
    const scan = scanFeatures(dir);

    // Assert
    expect(scan.present).toEqual(['monitoring', 'teams']);
    expect(scan.missing).toEqual([
      path.join('src', 'lambda', 'chatNotify.ts'),
      path.join('src', 'lambda', 'workloadStep.ts'),
      path.join('src', 'lambda', 'decommission.ts'),
      path.join('src', 'lambda', 'cloudmapReconcile.ts'),
    ]);
  });
});

describe('engine-only stack', () => {
  it('synthesizes with just the monitoring functions and a scheduler role for the nag function alone', () => {
    // Act
    const s = synthesize({ features: ['monitoring'] });
    const functions = resourcesOfType(s.json, 'AWS::Lambda::Function');
    const invoke = JSON.stringify(
      resourcesOfType(s.json, 'AWS::IAM::Policy').find(([id]) => id.startsWith('SchedulesInvokeRole'))![1],
    );
    const outputs = Object.keys(s.json.Outputs ?? {});
    s.dispose();

    // Assert
    expect(functions).toHaveLength(3);
    expect(invoke).toContain('LightsOut-nagDue');
    expect(invoke).not.toContain('workloadStep');
    expect(outputs).not.toContain('SlackRequestUrl');
  });
});
