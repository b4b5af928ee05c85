/**
 * The configuration reference (docs/configuration.md) against the code: every
 * environment variable the config loader reads and every CDK context key the
 * app reads is documented, every documented one is read, and every default
 * written as code is the one the code applies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../infra/lib/settings.js';
import { type Env, loadConfig } from '../../src/config/index.js';
import { readTeamsPackageSettings } from '../../src/config/teams.js';
import { codeSpans, readDoc, repoRoot, tableRows } from './docTable.js';

interface Row {
  name: string;
  kind: string;
  /** The default when written as one code span, else undefined ("(none)", "the home region"). */
  literalDefault: string | undefined;
}

function documented(): Row[] {
  return tableRows(readDoc('docs/configuration.md'))
    .filter((cells) => cells.length === 4)
    .map(([setting, kind, dflt]) => {
      const names = codeSpans(setting!);
      const spans = codeSpans(dflt!);
      return {
        name: names.length === 1 ? names[0]! : setting!,
        kind: kind!,
        literalDefault: spans.length === 1 && dflt === `\`${spans[0]}\`` ? spans[0] : undefined,
      };
    });
}

/** An env object that records every key read from it. */
function recordingEnv(values: Env, seen: Set<string>): Env {
  return new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') seen.add(key);
      return target[key as string];
    },
  });
}

/**
 * Settings that only matter once a feature is on, so every branch of the
 * loader runs: Slack over HTTP and Socket Mode, Slack and Teams on Lambda,
 * Teams in the single process, cleanup webhooks, workloads from DynamoDB.
 */
const SCENARIOS: Env[] = [
  {},
  { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' },
  { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' },
  {
    SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack',
    TEAMS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:teams',
    MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
    MicrosoftAppTenantId: '00000000-0000-0000-0000-000000000002',
    TABLE_NAME: 'LightsOut',
  },
  {
    MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001',
    MICROSOFT_APP_PASSWORD: 'password',
    MICROSOFT_APP_TYPE: 'MultiTenant',
    TEAMS_ENABLED: 'true',
  },
  {
    CLEANUP_WEBHOOK_URLS: 'https://hooks.example.com/x',
    WEBHOOK_SECRET: '0123456789abcdef0123',
    WORKLOAD_SPEC_SOURCE: 'dynamodb',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
  },
];

function envVarsRead(): Set<string> {
  const seen = new Set<string>();
  for (const env of SCENARIOS) {
    try {
      loadConfig(recordingEnv(env, seen));
    } catch {
      // A scenario may be incomplete for some section; what it read still counts.
    }
  }
  readTeamsPackageSettings(recordingEnv({}, seen));
  return seen;
}

/** Context keys: those readSettings asks for, plus literal tryGetContext('key') calls anywhere in infra/. */
function contextKeysRead(): Set<string> {
  const seen = new Set<string>();
  readSettings((key) => {
    seen.add(key);
    return undefined;
  }, 'us-east-1');
  for (const file of infraSources()) {
    for (const m of readFileSync(file, 'utf8').matchAll(/tryGetContext\('([\w-]+)'\)/g)) seen.add(m[1]!);
  }
  return seen;
}

function infraSources(dir = join(repoRoot, 'infra')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? infraSources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe('configuration reference', () => {
  const rows = documented();
  const env = rows.filter((r) => r.kind === 'env');
  const context = rows.filter((r) => r.kind === 'context');

  it('has one row per setting, each an env variable or a context key', () => {
    expect(rows.length).toBeGreaterThan(60);
    expect(rows.filter((r) => r.kind !== 'env' && r.kind !== 'context')).toEqual([]);
    expect(rows.length).toBe(new Set(rows.map((r) => `${r.kind}:${r.name}`)).size);
  });

  it('documents every environment variable the config loader reads, and no other', () => {
    expect(sorted(env.map((r) => r.name))).toEqual(sorted(envVarsRead()));
  });

  it('documents every CDK context key the app reads, and no other', () => {
    expect(sorted(context.map((r) => r.name))).toEqual(sorted(contextKeysRead()));
  });

  it('documents every context key cdk.json sets', () => {
    const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };
    const names = new Set(context.map((r) => r.name));
    expect(Object.keys(cdkJson.context).filter((k) => !names.has(k))).toEqual([]);
  });

  it('states the defaults the config loader applies', () => {
    const unset = loadConfig({});
    const differing = env
      .filter((r) => r.literalDefault !== undefined)
      .filter((r) => {
        try {
          return JSON.stringify(loadConfig({ [r.name]: r.literalDefault })) !== JSON.stringify(unset);
        } catch (err) {
          return String(err);
        }
      })
      .map((r) => `${r.name}=${r.literalDefault}`);
    expect(env.filter((r) => r.literalDefault !== undefined).length).toBeGreaterThan(20);
    expect(differing).toEqual([]);
  });

  it('states the defaults the CDK app applies', () => {
    const read = (values: Record<string, unknown>) =>
      JSON.stringify(readSettings((key) => values[key], 'us-east-1'));
    const unset = read({});
    const settingsKeys = new Set<string>();
    readSettings((key) => settingsKeys.add(key) && undefined, 'us-east-1');
    const differing = context
      .filter((r) => r.literalDefault !== undefined && settingsKeys.has(r.name))
      .filter((r) => read({ [r.name]: r.literalDefault }) !== unset)
      .map((r) => `${r.name}=${r.literalDefault}`);
    expect(differing).toEqual([]);
    // Keys read outside readSettings carry their default beside the read: `tryGetContext('k') ?? 'v'`.
    const elsewhere = context.filter((r) => r.literalDefault !== undefined && !settingsKeys.has(r.name));
    for (const row of elsewhere) {
      const source = infraSources()
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      expect(source, row.name).toContain(`tryGetContext('${row.name}') ?? '${row.literalDefault}'`);
    }
  });
});
