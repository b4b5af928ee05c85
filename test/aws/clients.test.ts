import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configureAwsClients,
  loadEc2Client,
  loadLambdaClient,
  loadRoute53Client,
  loadServiceDiscoveryClient,
  loadSsmClient,
  schedulerClient,
} from '../../src/aws/clients.js';
import { DEFAULT_AWS_CLIENT_SETTINGS } from '../../src/config/aws.js';
import { loadConfig } from '../../src/config/index.js';

/** What the SDK resolved from our `requestHandler` options. */
async function handlerTimeouts(client: { config: { requestHandler: unknown } }) {
  const handler = client.config.requestHandler as { configProvider: Promise<Record<string, unknown>> };
  const cfg = await handler.configProvider;
  return { connectionTimeout: cfg.connectionTimeout, requestTimeout: cfg.requestTimeout };
}

describe('SDK client factory', () => {
  afterEach(() => configureAwsClients(DEFAULT_AWS_CLIENT_SETTINGS));

  it('hands out one client per service and region', async () => {
    // Arrange: a region no other test uses, so the cache starts empty for it.
    const region = 'ap-southeast-4';

    // Act
    const first = await loadEc2Client(region);
    const second = await loadEc2Client(region);

    // Assert
    expect(first).toBeInstanceOf(EC2Client);
    expect(second).toBe(first);
    expect(await loadSsmClient(region)).toBe(await loadSsmClient(region));
    expect(await loadEc2Client('eu-west-1')).not.toBe(first);
  });

  it('gives every client the configured timeouts and retry budget', async () => {
    // Arrange
    const config = loadConfig({
      AWS_CONNECT_TIMEOUT: '2s',
      AWS_REQUEST_TIMEOUT: '7',
      AWS_MAX_ATTEMPTS: '4',
      AWS_RETRY_MODE: 'adaptive',
    });

    // Act
    configureAwsClients(config.aws.clients);
    const clients = [
      await loadEc2Client('ca-west-1'),
      await loadSsmClient('ca-west-1'),
      await loadRoute53Client(),
      await loadServiceDiscoveryClient('ca-west-1'),
      schedulerClient('ca-west-1'),
    ];

    // Assert
    for (const client of clients) {
      expect(await client.config.maxAttempts()).toBe(4);
      const mode = client.config.retryMode;
      expect(typeof mode === 'function' ? await mode() : mode).toBe('adaptive');
      expect(await handlerTimeouts(client)).toEqual({ connectionTimeout: 2000, requestTimeout: 7000 });
    }
  });

  it('defaults to a bounded wait: 3 s to connect, 10 s per attempt, 3 attempts', async () => {
    const config = loadConfig({});

    configureAwsClients(config.aws.clients);
    const ec2 = await loadEc2Client('me-central-1');

    expect(config.aws.clients).toEqual(DEFAULT_AWS_CLIENT_SETTINGS);
    expect(await ec2.config.maxAttempts()).toBe(3);
    expect(await handlerTimeouts(ec2)).toEqual({ connectionTimeout: 3000, requestTimeout: 10_000 });
  });

  it('narrows the budget for a path with a tighter deadline', async () => {
    const lambda = await loadLambdaClient('us-west-2', { requestTimeoutMs: 1000, maxAttempts: 2 });

    expect(await lambda.config.maxAttempts()).toBe(2);
    expect((await handlerTimeouts(lambda)).requestTimeout).toBe(1000);
  });

  it('configures Route53 in us-east-1 and Cloud Map for custom endpoints', async () => {
    const route53 = await loadRoute53Client();
    const custom = await loadServiceDiscoveryClient('ca-west-1', { customEndpoint: true });
    const aws = await loadServiceDiscoveryClient('ca-west-1');

    expect(route53).toBeInstanceOf(Route53Client);
    expect(await route53.config.region()).toBe('us-east-1');
    expect(custom).toBeInstanceOf(ServiceDiscoveryClient);
    expect(custom.config.disableHostPrefix).toBe(true);
    expect(aws.config.disableHostPrefix).toBe(false);
    expect(await loadSsmClient('ca-west-1')).toBeInstanceOf(SSMClient);
  });

  it('names a malformed setting', () => {
    expect(() => loadConfig({ AWS_REQUEST_TIMEOUT: 'soon', AWS_MAX_ATTEMPTS: '0' })).toThrow(
      /AWS_REQUEST_TIMEOUT must be a duration[\s\S]*AWS_MAX_ATTEMPTS must be a whole number/,
    );
  });
});
