/**
 * Synthesizes the Lights Out app for the infra tests, with stub bundling so a
 * synth does not run esbuild and does not need the handler files. Template
 * tests skip synth-time validation (it costs seconds); the cdk-nag test runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import { ALL_FEATURES, type Feature } from '../../infra/lib/features.js';
import { buildLightsOut, type LightsOutStacks } from '../../infra/lib/lightsOutApp.js';
import { DEFAULT_SETTINGS, type Settings } from '../../infra/lib/settings.js';

export interface Synthesized {
  app: App;
  stacks: LightsOutStacks;
  template: Template;
  /** The raw CloudFormation JSON of the main stack. */
  json: CfnTemplate;
  settings: Settings;
  outdir: string;
  dispose(): void;
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** Settings a typical team would deploy with: two regions, a zone, a Cloud Map service, an operator email. */
export const TEST_SETTINGS: Settings = {
  ...DEFAULT_SETTINGS,
  regions: ['eu-west-1', 'us-east-1'],
  hostedZoneIds: ['Z0123456789ABCDEFGHIJ'],
  cloudMapServices: [{ serviceId: 'srv-0123456789abcdef', region: 'eu-west-1' }],
  operatorEmail: 'ops@example.com',
  teamsAppId: '00000000-0000-0000-0000-000000000001',
  teamsTenantId: '00000000-0000-0000-0000-000000000002',
};

export interface SynthOptions {
  settings?: Partial<Settings>;
  features?: Feature[];
  /** Run cdk-nag and CDK's built-in CloudFormation validation (synth throws on findings). */
  validate?: boolean;
}

export function synthesize({
  settings: overrides = {},
  features = ALL_FEATURES,
  validate = false,
}: SynthOptions = {}): Synthesized {
  const settings = { ...TEST_SETTINGS, ...overrides };
  const outdir = mkdtempSync(path.join(tmpdir(), 'lightsout-cdk-'));
  const app = new App({ outdir, stackTraces: false, builtinCloudFormationValidation: validate });
  const stacks = buildLightsOut(app, {
    settings,
    features,
    bundling: 'stub',
    account: '123456789012',
    nagChecks: validate,
  });
  app.synth();
  const template = Template.fromStack(stacks.main);
  return {
    app,
    stacks,
    template,
    json: template.toJSON() as CfnTemplate,
    settings,
    outdir,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Resources of one type, by logical id. */
export function resourcesOfType(json: CfnTemplate, type: string): [string, Record<string, unknown>][] {
  return Object.entries(json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** IAM statements of the role whose logical id contains `fragment` (e.g. `WorkloadStep`). */
export function roleStatements(json: CfnTemplate, fragment: string): Statement[] {
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([id]) => id.includes(fragment))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/**
 * File-scoped synthesis, like `useMoto()`: synthesizes once before the file's
 * tests and removes the output after them. Read it inside tests and hooks.
 */
export function useSynthesizedApp(opts?: SynthOptions): Synthesized {
  let synthesized: Synthesized | undefined;
  beforeAll(() => {
    synthesized = synthesize(opts);
  });
  afterAll(() => synthesized?.dispose());
  return new Proxy({} as Synthesized, {
    get(_target, key) {
      if (!synthesized) throw new Error('useSynthesizedApp(): read it inside tests or hooks');
      return Reflect.get(synthesized, key);
    },
  });
}
