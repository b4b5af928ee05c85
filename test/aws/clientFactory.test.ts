import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import {
  loadEc2Client,
  loadRoute53Client,
  loadServiceDiscoveryClient,
  loadSsmClient,
} from '../../src/aws/clientFactory.js';
import { ec2Client, route53Client, serviceDiscoveryClient, ssmClient } from '../../src/aws/clients.js';

describe('SDK client factories', () => {
  it('hands out the same client whether loaded at first use or built synchronously', async () => {
    // Arrange: a region no other test uses, so the cache starts empty for it.
    const region = 'ap-southeast-4';

    // Act
    const lazy = await loadEc2Client(region);
    const sync = ec2Client(region);

    // Assert
    expect(lazy).toBeInstanceOf(EC2Client);
    expect(sync).toBe(lazy);
    expect(await loadSsmClient(region)).toBe(ssmClient(region));
    expect(await loadRoute53Client()).toBe(route53Client());
    expect(await loadServiceDiscoveryClient(region, { customEndpoint: true })).toBe(
      serviceDiscoveryClient(region, { customEndpoint: true }),
    );
  });

  it('configures the lazily loaded clients like the synchronous ones', async () => {
    // Arrange
    const region = 'ca-west-1';

    // Act
    const ssm = await loadSsmClient(region);
    const route53 = await loadRoute53Client();
    const custom = await loadServiceDiscoveryClient(region, { customEndpoint: true });
    const aws = await loadServiceDiscoveryClient(region);

    // Assert
    expect(ssm).toBeInstanceOf(SSMClient);
    expect(await ssm.config.region()).toBe(region);
    expect(await ssm.config.maxAttempts()).toBe(5);
    expect(route53).toBeInstanceOf(Route53Client);
    expect(await route53.config.region()).toBe('us-east-1');
    expect(custom).toBeInstanceOf(ServiceDiscoveryClient);
    expect(custom.config.disableHostPrefix).toBe(true);
    expect(aws.config.disableHostPrefix).toBe(false);
  });
});
