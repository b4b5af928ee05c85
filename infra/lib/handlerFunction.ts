/**
 * One Lambda function per handler in `src/lambda/`, all built the same way:
 * nodejs24.x on arm64 (cheaper per GB-second, and nothing here is x86-bound),
 * minified ESM with source maps, its own log group with retention, and its own
 * role that can write only to that log group. Permissions beyond logging are
 * added by the construct that owns the function (see policies.ts).
 */
import path from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BundledPlatforms, bundleOptions, HANDLER_ASSETS, PROJECT_ROOT } from './bundling.js';
import { passThroughFor } from './passThrough.js';
import { logWriteStatement } from './policies.js';

/**
 * `esbuild` bundles the real handler (what `cdk synth`/`deploy` do).
 * `stub` deploys a one-line inline handler instead, so tests can synthesize the
 * whole app in milliseconds.
 */
export type BundlingMode = 'esbuild' | 'stub';

export interface FunctionDefaults {
  bundling: BundlingMode;
  logRetentionDays: number;
  bundleAwsSdk: boolean;
  /** The chat platforms the deployment configures; the other's SDK is left out of every bundle. */
  platforms?: BundledPlatforms;
  logLevel: string;
  /** Optional settings from context (`functionEnvironment`); each function gets the ones it reads. */
  passThrough: Record<string, string>;
}

export interface HandlerFunctionProps {
  /** Handler file name in `src/lambda/`, without extension, e.g. `stateChange`. */
  handler: string;
  description: string;
  defaults: FunctionDefaults;
  /** Only the variables this function reads; LOG_LEVEL is added. */
  environment: Record<string, string>;
  timeout: Duration;
  memorySize?: number;
  /** Fixed name, for functions whose ARN must be known before they exist (schedule targets). */
  functionName?: string;
  /** Where failed asynchronous invocations end up after Lambda's retries. */
  deadLetterQueue?: sqs.IQueue;
}

/** The relative path of a handler's entry file, e.g. `src/lambda/stateChange.ts`. */
/** nodejs24.x: LAMBDA_NODE_MAJOR in bundling.ts, which the esbuild target and the Lambda test suites follow. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

export const handlerEntry = (handler: string): string => path.join('src', 'lambda', `${handler}.ts`);

const STUB_CODE =
  'exports.handler = async () => { throw new Error("stub handler: synthesized for tests only"); };';

export class HandlerFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { defaults } = props;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: defaults.logRetentionDays as logs.RetentionDays,
      // Logs are evidence of what the bot stopped and why; keep them after a teardown
      // until their retention runs out rather than deleting them with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Lights Out ${props.handler}: ${props.description}`,
    });
    this.role.addToPolicy(logWriteStatement(this.logGroup));

    const common = {
      description: `Lights Out: ${props.description}`,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      functionName: props.functionName,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        LOG_LEVEL: defaults.logLevel,
        // Stack traces point into src/*.ts instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        ...passThroughFor(props.handler, defaults.passThrough),
        ...props.environment,
      },
    };

    if (defaults.bundling === 'stub') {
      this.fn = new lambda.Function(this, 'Function', {
        ...common,
        code: lambda.Code.fromInline(STUB_CODE),
        handler: 'index.handler',
      });
      return;
    }

    const opts = bundleOptions({ bundleAwsSdk: defaults.bundleAwsSdk, platforms: defaults.platforms });
    this.fn = new NodejsFunction(this, 'Function', {
      ...common,
      entry: path.join(PROJECT_ROOT, handlerEntry(props.handler)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        minify: opts.minify,
        sourceMap: opts.sourcemap,
        sourcesContent: opts.sourcesContent,
        target: opts.target,
        format: OutputFormat.ESM,
        mainFields: opts.mainFields,
        externalModules: opts.external,
        banner: opts.banner,
        esbuildArgs: { '--alias': Object.entries(opts.alias).map(([from, to]) => `${from}=${to}`) },
        ...(HANDLER_ASSETS[props.handler]
          ? { commandHooks: assetHooks(HANDLER_ASSETS[props.handler]!) }
          : {}),
      },
    });
  }
}

/** Copies a handler's run-time files from node_modules beside its bundle (see HANDLER_ASSETS). */
function assetHooks(assets: readonly { name: string; source: string }[]) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      assets.map((a) => `cp "${inputDir}/node_modules/${a.source}" "${outputDir}/${a.name}"`),
  };
}
