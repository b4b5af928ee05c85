/**
 * How each handler is bundled, in one place: the stack (through NodejsFunction)
 * and `bench/bundles.ts` (through the esbuild API) use these same options, so
 * the benchmark measures exactly what gets deployed.
 *
 * - ESM output (`index.mjs`): lets handlers use top-level await to fetch
 *   secrets during init, and matches the project's `"type": "module"`.
 * - The banner gives bundled CommonJS packages (Bolt, the Agents SDK) a `require`
 *   for Node built-ins, which ESM does not have.
 * - AWS SDK v3 is external: nodejs24.x ships it, and bundling it costs
 *   ~560 KB minified for the EC2 client alone, which would blow the 500 KB
 *   budget of the engine functions and slow every cold start. The price is that
 *   the SDK version is the runtime's, not the lock file's; `bundleAwsSdk=true`
 *   in context pins it by bundling instead.
 * - Some modules are loaded by Bolt and the single-process runtime
 *   only for features Lambda never uses (Socket Mode, Express, streaming
 *   connections, file uploads, the workloads file); they are replaced by
 *   `infra/bundling/unusedOnLambda.cjs`, which throws with an explanation if
 *   anything ever calls into it. `npm run bench -- bundles` imports every
 *   bundle, so a stub that is touched at load time fails there first.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHART_ASSET_FILES } from '../../src/wiring/chartAssets.js';

/**
 * The Node major the functions run on, in one place: the Lambda runtime
 * (handlerFunction.ts), the esbuild target here, and the `node` dev dependency
 * the Lambda suites run on (vitest.config.ts, test/lambda/runtime.test.ts)
 * all follow it. nodejs22.x is deprecated on 30 Apr 2027; nodejs24.x is
 * supported until Apr 2028.
 */
export const LAMBDA_NODE_MAJOR = 24;
export const ESBUILD_TARGET = 'node24';

/** Repository root: where package-lock.json and src/ live. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const ESM_REQUIRE_BANNER =
  "import { createRequire as __lightsoutCreateRequire } from 'node:module';" +
  'const require = __lightsoutCreateRequire(import.meta.url);';

/**
 * Files a handler reads at run time beside its bundle, copied from
 * node_modules after bundling (`source` is the package path, `name` the file
 * name beside index.mjs). The digest chart's WebAssembly renderer and font:
 * binary files esbuild should not inline as base64 into the JavaScript.
 */
export const HANDLER_ASSETS: Record<string, readonly { name: string; source: string }[]> = {
  digest: Object.values(CHART_ASSET_FILES),
};

/** Runtime SDK, kept out of bundles unless `bundleAwsSdk` is set. */
export const AWS_SDK_EXTERNALS = ['@aws-sdk/*'];

/**
 * Optional peers the Agents SDK's telemetry loads inside a try: absent on
 * Lambda, so its tracing stays a no-op instead of bundling OpenTelemetry's API.
 */
export const OPTIONAL_EXTERNALS = ['@opentelemetry/api', '@opentelemetry/api-logs'];

/** Stub for modules Lambda never loads for real, relative to PROJECT_ROOT. */
export const UNUSED_ON_LAMBDA_STUB = './infra/bundling/unusedOnLambda.cjs';

/**
 * Modules replaced by the stub, each with why it is dead weight on Lambda.
 * Measured with `npm run bench`; removing them keeps the chat functions under 1.5 MB.
 */
export const UNUSED_ON_LAMBDA: Record<string, string> = {
  // Socket Mode's WebSocket transport (~540 KB); Lambda receives Slack over HTTPS via the Function URL.
  undici: '@slack/socket-mode WebSocket client',
  // Charset tables (~490 KB) for Express/raw-body parsing of non-UTF-8 bodies; AwsLambdaReceiver parses the event itself.
  'iconv-lite': 'Express body parsing of non-UTF-8 request bodies',
  // MSAL (~165 KB), the Agents SDK's token client. Lambda bots authenticate with a client secret only (a managed
  // identity needs an Azure host), and teamsRuntime.ts gets those tokens with a plain client-credentials request.
  '@azure/msal-node':
    'Agents SDK token acquisition (replaced on Lambda by src/chat/teams/clientCredentials.ts)',
  // node-fetch's fallback URL parser with its Unicode tables (~290 KB); Node has URL built in, which node-fetch prefers.
  'whatwg-url': "node-fetch's URL fallback for runtimes without a global URL",
  // MIME lookup by file name (~135 KB of mime-db): only Express's static/content negotiation (never runs behind
  // AwsLambdaReceiver) and form-data's file parts for uploads, which Lights Out never sends.
  'mime-types': 'Express content negotiation and form-data file uploads',
  // Multipart bodies (~25 KB with their dependencies): the Slack Web API client builds one only to upload files and
  // axios only for multipart/form-data requests; Lights Out posts JSON and form-encoded bodies only.
  'form-data': 'multipart request bodies (Slack file uploads)',
  // YAML parser (~115 KB) for the local workloads file; the stack points every function at AWS_EC2_Scheduler's
  // DynamoDB tables instead (WORKLOAD_SPEC_SOURCE=dynamodb, see workloadSpecEnvironment), as there is no file on Lambda.
  yaml: 'workloads.yaml spec source of the single-process runtime',
};

/**
 * Chat SDKs a deployment does not use, replaced by the stub too: each
 * platform's code loads only when it is configured (src/lambda/*Runtime.ts),
 * so a deployment without Slack or without Teams need not carry its SDK.
 */
export const PLATFORM_SDKS = {
  slack: ['@slack/bolt', '@slack/web-api'],
  teams: ['@microsoft/agents-hosting', '@microsoft/agents-activity'],
} as const;

/** The chat platforms this deployment configures; both when unknown (the bench, tests). */
export interface BundledPlatforms {
  slack: boolean;
  teams: boolean;
}

/**
 * Modules replaced by a smaller stand-in that does what Lambda needs of them,
 * each with why. `jose`: jwks-rsa only converts the token signing keys to
 * PEM, which Node's crypto does natively (~60 KB less in the Teams functions).
 * `semver`: jsonwebtoken only asks whether the Node version is at least a few
 * old releases (~29 KB less in the Teams functions). `@noble/hashes`: the
 * Agents SDK's telemetry only hides conversation ids behind an HMAC-SHA256,
 * which Node's crypto computes natively (~19 KB less in the Teams functions).
 */
export const REPLACED_ON_LAMBDA: Record<string, string> = {
  jose: './infra/bundling/joseOnLambda.cjs',
  semver: './infra/bundling/semverOnLambda.cjs',
  '@noble/hashes/hmac': './infra/bundling/nobleHashesOnLambda.cjs',
  '@noble/hashes/sha2': './infra/bundling/nobleHashesOnLambda.cjs',
  '@noble/hashes/utils': './infra/bundling/nobleHashesOnLambda.cjs',
};

export interface BundleOptions {
  minify: true;
  sourcemap: true;
  sourcesContent: false;
  target: typeof ESBUILD_TARGET;
  format: 'esm';
  platform: 'node';
  mainFields: string[];
  external: string[];
  banner: string;
  alias: Record<string, string>;
}

/** esbuild options for one handler (the esbuild API spelling). */
export function bundleOptions({
  bundleAwsSdk = false,
  platforms = { slack: true, teams: true },
}: {
  bundleAwsSdk?: boolean;
  platforms?: BundledPlatforms;
} = {}): BundleOptions {
  const unusedSdks = (Object.keys(PLATFORM_SDKS) as (keyof typeof PLATFORM_SDKS)[])
    .filter((p) => !platforms[p])
    .flatMap((p) => PLATFORM_SDKS[p]);
  return {
    minify: true,
    sourcemap: true,
    // Source text stays out of the zip; stack traces only need names and positions.
    sourcesContent: false,
    target: ESBUILD_TARGET,
    format: 'esm',
    platform: 'node',
    // Prefer ESM entry points so esbuild can tree-shake them.
    mainFields: ['module', 'main'],
    external: [...(bundleAwsSdk ? [] : AWS_SDK_EXTERNALS), ...OPTIONAL_EXTERNALS],
    banner: ESM_REQUIRE_BANNER,
    alias: {
      ...Object.fromEntries(
        [...Object.keys(UNUSED_ON_LAMBDA), ...unusedSdks].map((m) => [m, UNUSED_ON_LAMBDA_STUB]),
      ),
      ...REPLACED_ON_LAMBDA,
    },
  };
}
