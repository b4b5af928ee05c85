/**
 * Cross-checks the code against the stack: every AWS API call the Lambda-side
 * code can make (every SDK `…Command` imported under src/, except the CLI, the
 * single process and SQLite) must be allowed to at least one function's role.
 * Least privilege means a missing grant only shows up in AWS at run time;
 * this catches it when the call is written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lib/bundling.js';
import { actionsOf, resourcesOfType, type Statement, useSynthesizedApp } from './synthesizedApp.js';

/** SDK package → IAM service prefix. */
const SERVICE: Record<string, string> = {
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-ec2': 'ec2',
  'client-cloudwatch': 'cloudwatch',
  'client-scheduler': 'scheduler',
  'client-sns': 'sns',
  'client-ssm': 'ssm',
  'client-route-53': 'route53',
  'client-servicediscovery': 'servicediscovery',
  'client-secrets-manager': 'secretsmanager',
};

/** lib-dynamodb document commands → the DynamoDB actions they authorize as. */
const DOCUMENT_COMMANDS: Record<string, string[]> = {
  Get: ['GetItem'],
  Put: ['PutItem'],
  Update: ['UpdateItem'],
  Delete: ['DeleteItem'],
  Query: ['Query'],
  Scan: ['Scan'],
  BatchGet: ['BatchGetItem'],
  BatchWrite: ['BatchWriteItem'],
  // A transaction is authorized as its parts.
  TransactWrite: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  TransactGet: ['GetItem'],
};

/** Calls the Lambda functions never make, with the reason. */
const NOT_ON_LAMBDA: Record<string, string> = {
  'scheduler:CreateScheduleGroup':
    'ensureGroup() is for the single process/CLI; on AWS the stack creates the group',
};

const EXCLUDED_DIRS = ['cli', 'local', 'sqlite'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return EXCLUDED_DIRS.includes(entry.name) && dir.endsWith('src') ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `service:Action` for every SDK command imported by Lambda-side code, with where it is imported. */
function sdkCalls(): Map<string, string> {
  const calls = new Map<string, string>();
  const importRe = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([\w-]+)'/g;
  for (const file of sourceFiles(path.join(PROJECT_ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, names, pkg] of text.matchAll(importRe)) {
      const service = SERVICE[pkg!];
      if (!service) continue;
      for (const raw of names!.split(',')) {
        const name = raw
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!;
        if (!/Command$/.test(name) || /Input$|Output$/.test(name)) continue;
        const command = name.replace(/Command$/, '');
        const actions = pkg === 'lib-dynamodb' ? (DOCUMENT_COMMANDS[command] ?? [command]) : [command];
        for (const action of actions) calls.set(`${service}:${action}`, path.relative(PROJECT_ROOT, file));
      }
    }
  }
  return calls;
}

const s = useSynthesizedApp();

describe('IAM covers the code', () => {
  it('allows every AWS call the Lambda code makes to at least one function', () => {
    // Arrange
    const granted = new Set(
      resourcesOfType(s.json, 'AWS::IAM::Policy')
        .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((st) => st.Effect === 'Allow')
        .flatMap(actionsOf),
    );

    // Act
    const calls = sdkCalls();
    const missing = [...calls]
      .filter(([action]) => !granted.has(action) && !NOT_ON_LAMBDA[action])
      .map(([action, file]) => `${action} (imported in ${file})`);

    // Assert
    expect(calls.size).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
