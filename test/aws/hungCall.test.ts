/**
 * A hung AWS call fails after the request timeout instead of waiting for
 * good: moto behind the fault proxy holds DescribeInstances, and a client
 * from the factory (1 s per attempt, 2 attempts) gives up with a timeout.
 * (The SDK only warns about a passed requestTimeout unless told to throw.)
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureAwsClients, loadEc2Client } from '../../src/aws/clients.js';
import { DEFAULT_AWS_CLIENT_SETTINGS } from '../../src/config/aws.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
const faults = useFaultProxy(moto);

describe('a hung AWS call', () => {
  beforeEach(() => faults.reset());
  afterEach(() => {
    faults.get().recover();
    configureAwsClients(DEFAULT_AWS_CLIENT_SETTINGS);
  });

  it('fails with a timeout once every attempt has waited its request timeout', {
    timeout: 30_000,
  }, async () => {
    // Arrange: a region no other test's cached client uses.
    configureAwsClients({ ...DEFAULT_AWS_CLIENT_SETTINGS, requestTimeoutMs: 1000, maxAttempts: 2 });
    const ec2 = await loadEc2Client('eu-north-1');
    faults.get().addRule({ action: 'DescribeInstances', fault: { kind: 'hang' } });

    // Act
    const outcome = await ec2.send(new DescribeInstancesCommand({})).then(
      () => 'answered',
      (err: unknown) => (err as Error).name,
    );

    // Assert: both attempts reached the proxy, neither was answered, and the call gave up.
    expect(outcome).toBe('TimeoutError');
    expect(faults.get().count('DescribeInstances').received).toBe(2);
  });
});
