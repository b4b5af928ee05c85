/**
 * SDK client construction in one place. Endpoints come from the SDK's own
 * standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), so tests
 * and LocalStack-style setups need no code branches. Adapters take clients as
 * constructor arguments; only wiring code calls these factories.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const cache = new Map<string, unknown>();

function memo<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

// Adaptive retries back off on throttling (RequestLimitExceeded), which
// sweeps of large fleets hit first.
const common = { retryMode: 'adaptive' as const, maxAttempts: 5 };

export const ec2Client = (region: string) =>
  memo(`ec2:${region}`, () => new EC2Client({ region, ...common }));
export const dynamoClient = (region: string) =>
  memo(`ddb:${region}`, () => new DynamoDBClient({ region, ...common }));
/**
 * DocumentClient for the single table. `removeUndefinedValues` because records
 * carry optional fields; the stores rely on plain JS values in and out.
 */
export const dynamoDocumentClient = (region: string) =>
  memo(`ddbdoc:${region}`, () =>
    DynamoDBDocumentClient.from(dynamoClient(region), { marshallOptions: { removeUndefinedValues: true } }),
  );
export const schedulerClient = (region: string) =>
  memo(`scheduler:${region}`, () => new SchedulerClient({ region, ...common }));
export const snsClient = (region: string) =>
  memo(`sns:${region}`, () => new SNSClient({ region, ...common }));
export const ssmClient = (region: string) =>
  memo(`ssm:${region}`, () => new SSMClient({ region, ...common }));
// Route53 is a global service whose API lives in us-east-1.
export const route53Client = () =>
  memo('route53', () => new Route53Client({ region: 'us-east-1', ...common }));
/**
 * Cloud Map. `customEndpoint` (config `cloudMapCustomEndpoint`, true when
 * AWS_ENDPOINT_URL is set for LocalStack, a proxy or tests) disables the
 * `data-` host prefix that data-plane calls add, which such endpoints cannot serve.
 */
export const serviceDiscoveryClient = (region: string, opts: { customEndpoint?: boolean } = {}) =>
  memo(
    `servicediscovery:${region}:${opts.customEndpoint ? 'custom' : 'aws'}`,
    () => new ServiceDiscoveryClient({ region, ...common, disableHostPrefix: opts.customEndpoint === true }),
  );
