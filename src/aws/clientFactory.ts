/**
 * SDK clients for the Lambda functions, built once per container. Endpoints
 * come from the SDK's own standard settings (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>), so tests and LocalStack-style setups need no
 * code branches.
 *
 * Two kinds, by when their SDK package loads:
 * - DynamoDB, EventBridge Scheduler and SNS are imported statically: every
 *   function uses them while it handles its first event anyway.
 * - EC2, SSM, Route53 and Cloud Map load at first use (`load*Client`, a
 *   literal `await import()`). esbuild hoists every static import of an
 *   external package to the top of the single-file bundle, where it runs at
 *   init even if the code using it never runs; `@aws-sdk/client-ec2` alone
 *   costs ~300 ms to load, which the Slack function cannot afford at init
 *   (issue 3: init ≤ 300 ms). The first Stop of a fresh container pays it instead.
 *
 * `./clients.js` re-exports all of this and adds synchronous EC2/SSM/Route53/
 * Cloud Map factories for the CLI and the single process, sharing this cache,
 * so one process never holds two clients for the same service and region.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const cache = new Map<string, unknown>();

/** The cached client under `key`, made by `make` the first time. */
export function memo<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

/**
 * Client settings shared by every factory. Adaptive retries back off on
 * throttling (RequestLimitExceeded), which sweeps of large fleets hit first.
 */
export const CLIENT_DEFAULTS = { retryMode: 'adaptive' as const, maxAttempts: 5 };

/** Cache keys, shared with the synchronous factories of `./clients.js`. */
export const clientKey = {
  ec2: (region: string) => `ec2:${region}`,
  ssm: (region: string) => `ssm:${region}`,
  route53: () => 'route53',
  serviceDiscovery: (region: string, customEndpoint?: boolean) =>
    `servicediscovery:${region}:${customEndpoint ? 'custom' : 'aws'}`,
};

/** Route53 is a global service whose API lives in us-east-1. */
export const ROUTE53_REGION = 'us-east-1';

export const dynamoClient = (region: string) =>
  memo(`ddb:${region}`, () => new DynamoDBClient({ region, ...CLIENT_DEFAULTS }));
/**
 * DocumentClient for the single table. `removeUndefinedValues` because records
 * carry optional fields; the stores rely on plain JS values in and out.
 */
export const dynamoDocumentClient = (region: string) =>
  memo(`ddbdoc:${region}`, () =>
    DynamoDBDocumentClient.from(dynamoClient(region), { marshallOptions: { removeUndefinedValues: true } }),
  );
export const schedulerClient = (region: string) =>
  memo(`scheduler:${region}`, () => new SchedulerClient({ region, ...CLIENT_DEFAULTS }));
export const snsClient = (region: string) =>
  memo(`sns:${region}`, () => new SNSClient({ region, ...CLIENT_DEFAULTS }));

// The load* factories cache the client itself, not a promise: a failed
// import (which would be a broken deployment) is retried on the next call,
// and a client made meanwhile by the synchronous factory is reused.

/** The EC2 client of `region`, loading `@aws-sdk/client-ec2` on first use. */
export async function loadEc2Client(region: string): Promise<EC2Client> {
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  return memo(clientKey.ec2(region), () => new EC2Client({ region, ...CLIENT_DEFAULTS }));
}

/** The SSM client of `region`, loading `@aws-sdk/client-ssm` on first use. */
export async function loadSsmClient(region: string): Promise<SSMClient> {
  const { SSMClient } = await import('@aws-sdk/client-ssm');
  return memo(clientKey.ssm(region), () => new SSMClient({ region, ...CLIENT_DEFAULTS }));
}

/** The Route53 client, loading `@aws-sdk/client-route-53` on first use. */
export async function loadRoute53Client(): Promise<Route53Client> {
  const { Route53Client } = await import('@aws-sdk/client-route-53');
  return memo(clientKey.route53(), () => new Route53Client({ region: ROUTE53_REGION, ...CLIENT_DEFAULTS }));
}

/**
 * The Cloud Map client of `region`, loading `@aws-sdk/client-servicediscovery`
 * on first use. `customEndpoint` (config `cloudMapCustomEndpoint`, true when
 * AWS_ENDPOINT_URL is set for LocalStack, a proxy or tests) disables the
 * `data-` host prefix that data-plane calls add, which such endpoints cannot serve.
 */
export async function loadServiceDiscoveryClient(
  region: string,
  opts: { customEndpoint?: boolean } = {},
): Promise<ServiceDiscoveryClient> {
  const { ServiceDiscoveryClient } = await import('@aws-sdk/client-servicediscovery');
  return memo(
    clientKey.serviceDiscovery(region, opts.customEndpoint),
    () =>
      new ServiceDiscoveryClient({
        region,
        ...CLIENT_DEFAULTS,
        disableHostPrefix: opts.customEndpoint === true,
      }),
  );
}
