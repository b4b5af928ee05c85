/**
 * Every AWS SDK client Lights Out uses, built in one place, one per service
 * and region per process. Endpoints come from the SDK's own standard settings
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), so tests and LocalStack-style
 * setups need no code branches. Adapters take clients (or a `region → client`
 * function) as constructor arguments; only wiring code calls these factories.
 *
 * Every client gets a connection timeout, a request timeout and a retry
 * budget (`configureAwsClients`, from the AWS_* settings of the config loader):
 * without them one hung call held every sweep, nag and click behind it.
 * The SDK's retries are the only retries of an AWS call; callers never wrap
 * AWS calls in retry loops of their own (see `core/retry.ts`).
 *
 * Two kinds, by when their SDK package loads:
 * - DynamoDB, EventBridge Scheduler and SNS are imported statically: every
 *   function uses them while it handles its first event anyway.
 * - EC2, SSM, CloudWatch, Route53, Cloud Map, Lambda and Pricing load at first use (`load*`, a
 *   literal `await import()`). esbuild hoists every static import of an
 *   external package to the top of the single-file bundle, where it runs at
 *   init even if the code using it never runs; `@aws-sdk/client-ec2` alone
 *   costs ~300 ms to load, which the Slack function cannot afford at init.
 */

import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientSettings, DEFAULT_AWS_CLIENT_SETTINGS } from '../config/aws.js';

export type { AwsClientSettings } from '../config/aws.js';

let settings: AwsClientSettings = DEFAULT_AWS_CLIENT_SETTINGS;
const cache = new Map<string, unknown>();

/**
 * Sets timeouts and retry budget for every client made from now on; each
 * runtime's wiring calls it once with `config.aws` before building adapters.
 */
export function configureAwsClients(next: AwsClientSettings): void {
  settings = next;
  cache.clear();
}

/** The cached client under `key`, made by `make` the first time. */
function memo<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

/** Constructor options every client shares; `budget` narrows them for a path with a tighter deadline. */
export function clientOptions(region: string, budget: Partial<AwsClientSettings> = {}) {
  const s = { ...settings, ...budget };
  return {
    region,
    maxAttempts: s.maxAttempts,
    retryMode: s.retryMode,
    requestHandler: {
      connectionTimeout: s.connectTimeoutMs,
      requestTimeout: s.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes and
      // keeps waiting: a hung call would hang its sweep, nag or click for good.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * A module imported once per process at first use. The caller writes the
 * literal `import('…')` (only that defers loading in a bundle). A failed load
 * is retried by the next call rather than cached.
 */
export function lazyImport<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}

export const loadEc2Sdk = lazyImport(() => import('@aws-sdk/client-ec2'));
export const loadSsmSdk = lazyImport(() => import('@aws-sdk/client-ssm'));
const loadRoute53Sdk = lazyImport(() => import('@aws-sdk/client-route-53'));
const loadServiceDiscoverySdk = lazyImport(() => import('@aws-sdk/client-servicediscovery'));
export const loadLambdaSdk = lazyImport(() => import('@aws-sdk/client-lambda'));
export const loadCloudWatchSdk = lazyImport(() => import('@aws-sdk/client-cloudwatch'));
export const loadPricingSdk = lazyImport(() => import('@aws-sdk/client-pricing'));

/**
 * The Price List API answers from us-east-1 (also eu-central-1 and
 * ap-south-1) for every region's prices; AWS_ENDPOINT_URL_PRICING, read by
 * the SDK itself, points it at a test server.
 */
export const PRICING_REGION = 'us-east-1';

/** Route53 is a global service whose API lives in us-east-1. */
export const ROUTE53_REGION = 'us-east-1';

export const dynamoClient = (region: string) =>
  memo(`ddb:${region}`, () => new DynamoDBClient(clientOptions(region)));
/**
 * DocumentClient for the single table. `removeUndefinedValues` because records
 * carry optional fields; the stores rely on plain JS values in and out.
 */
export const dynamoDocumentClient = (region: string) =>
  memo(`ddbdoc:${region}`, () =>
    DynamoDBDocumentClient.from(dynamoClient(region), { marshallOptions: { removeUndefinedValues: true } }),
  );
export const schedulerClient = (region: string) =>
  memo(`scheduler:${region}`, () => new SchedulerClient(clientOptions(region)));
export const snsClient = (region: string) =>
  memo(`sns:${region}`, () => new SNSClient(clientOptions(region)));

/** The EC2 client of `region`. */
export async function loadEc2Client(region: string): Promise<EC2Client> {
  const { EC2Client } = await loadEc2Sdk();
  return memo(`ec2:${region}`, () => new EC2Client(clientOptions(region)));
}

/** The SSM client of `region`. */
export async function loadSsmClient(region: string): Promise<SSMClient> {
  const { SSMClient } = await loadSsmSdk();
  return memo(`ssm:${region}`, () => new SSMClient(clientOptions(region)));
}

/** The CloudWatch client of `region` (idle metrics). */
export async function loadCloudWatchClient(region: string): Promise<CloudWatchClient> {
  const { CloudWatchClient } = await loadCloudWatchSdk();
  return memo(`cloudwatch:${region}`, () => new CloudWatchClient(clientOptions(region)));
}

/** The Price List (Pricing) client. */
export async function loadPricingClient(): Promise<PricingClient> {
  const { PricingClient } = await loadPricingSdk();
  return memo('pricing', () => new PricingClient(clientOptions(PRICING_REGION)));
}

/** The Route53 client. */
export async function loadRoute53Client(): Promise<Route53Client> {
  const { Route53Client } = await loadRoute53Sdk();
  return memo('route53', () => new Route53Client(clientOptions(ROUTE53_REGION)));
}

/**
 * The Cloud Map client of `region`. `customEndpoint` (config
 * `cloudMapCustomEndpoint`, true when AWS_ENDPOINT_URL is set for LocalStack,
 * a proxy or tests) disables the `data-` host prefix that data-plane calls
 * add, which such endpoints cannot serve.
 */
export async function loadServiceDiscoveryClient(
  region: string,
  opts: { customEndpoint?: boolean } = {},
): Promise<ServiceDiscoveryClient> {
  const { ServiceDiscoveryClient } = await loadServiceDiscoverySdk();
  const custom = opts.customEndpoint === true;
  return memo(
    `servicediscovery:${region}:${custom ? 'custom' : 'aws'}`,
    () => new ServiceDiscoveryClient({ ...clientOptions(region), disableHostPrefix: custom }),
  );
}

/**
 * The Lambda client of `region` for handing chat work on to an asynchronous
 * invocation. That call sits between a chat request and its answer, so it
 * gets a budget that fits inside the acknowledgement deadline.
 */
export async function loadLambdaClient(
  region: string,
  budget: Partial<AwsClientSettings>,
): Promise<LambdaClient> {
  const { LambdaClient } = await loadLambdaSdk();
  return memo(
    `lambda:${region}:${JSON.stringify(budget)}`,
    () => new LambdaClient(clientOptions(region, budget)),
  );
}
