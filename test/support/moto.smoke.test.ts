import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from './moto.js';

describe('moto harness', () => {
  const moto = useMoto();
  beforeEach(() => moto.reset());

  it('runs an instance and resets between tests', async () => {
    const ec2 = new EC2Client(moto.clientConfig);
    await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1 }));
    const before = await ec2.send(new DescribeInstancesCommand({}));
    expect(before.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(1);

    await moto.reset();

    const after = await ec2.send(new DescribeInstancesCommand({}));
    expect(after.Reservations ?? []).toHaveLength(0);
  });
});
