import { DescribeInstancesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { awsCall, translateAwsError } from '../../src/aws/errors.js';
import {
  AccessDeniedError,
  AwsRequestError,
  ConflictError,
  NotFoundError,
  TransientError,
  ValidationError,
} from '../../src/core/errors.js';

function sdkError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return new EC2ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    message: `${name} happened`,
  });
}

describe('translateAwsError', () => {
  it.each([
    ['ThrottlingException', 400, TransientError],
    ['RequestLimitExceeded', 503, TransientError],
    ['ProvisionedThroughputExceededException', 400, TransientError],
    ['InternalError', 500, TransientError],
    ['SomethingNew', 502, TransientError],
    ['AccessDenied', 403, AccessDeniedError],
    ['AccessDeniedException', 400, AccessDeniedError],
    ['UnauthorizedOperation', 403, AccessDeniedError],
    ['ConditionalCheckFailedException', 400, ConflictError],
    ['InvalidInstanceID.NotFound', 400, NotFoundError],
    ['ResourceNotFoundException', 404, NotFoundError],
    ['IncorrectInstanceState', 400, AwsRequestError],
    ['InvalidParameterValue', 400, AwsRequestError],
  ])('maps %s (HTTP %i)', (name, status, expected) => {
    // Arrange
    const err = sdkError(name, status);

    // Act
    const translated = translateAwsError(err, 'StopInstances in eu-west-1');

    // Assert
    expect(translated).toBeInstanceOf(expected);
    expect(translated.message).toContain(name);
    expect(translated.message).toContain('StopInstances in eu-west-1');
    expect(translated.cause).toBe(err);
  });

  it('passes Lights Out errors through unchanged', () => {
    // Arrange
    const ours = new ValidationError('bad');

    // Act / Assert
    expect(translateAwsError(ours, 'anything')).toBe(ours);
  });

  it('treats non-SDK failures as AwsRequestError with the original as cause', async () => {
    // Arrange
    const boom = new Error('socket closed');

    // Act
    const call = awsCall('GetItem', async () => {
      throw boom;
    });

    // Assert
    await expect(call).rejects.toBeInstanceOf(AwsRequestError);
    await expect(call).rejects.toMatchObject({ cause: boom });
  });
});

// moto cannot throttle or fail with 5xx; the SDK mock injects those faults.
describe('Ec2Fleet under faults moto cannot produce', () => {
  const ec2Mock = mockClient(EC2Client);
  afterEach(() => ec2Mock.reset());

  it('turns throttling into TransientError', async () => {
    // Arrange
    ec2Mock.on(DescribeInstancesCommand).rejects(
      new EC2ServiceException({
        name: 'RequestLimitExceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 503 },
        message: 'Request limit exceeded.',
      }),
    );
    const fleet = new Ec2Fleet(() => new EC2Client({ region: 'us-east-1', maxAttempts: 1 }));

    // Act
    const listing = fleet.find('us-east-1', { states: ['running'] });

    // Assert
    await expect(listing).rejects.toBeInstanceOf(TransientError);
    await expect(listing).rejects.toThrow(/RequestLimitExceeded/);
  });

  it('turns a 500 into TransientError', async () => {
    // Arrange
    ec2Mock.on(DescribeInstancesCommand).rejects(sdkError('InternalError', 500, 'server'));
    const fleet = new Ec2Fleet(() => new EC2Client({ region: 'us-east-1', maxAttempts: 1 }));

    // Act
    const listing = fleet.find('us-east-1', {});

    // Assert
    await expect(listing).rejects.toBeInstanceOf(TransientError);
  });
});
