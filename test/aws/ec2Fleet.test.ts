import {
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { NotFoundError } from '../../src/core/errors.js';
import { useMoto } from '../support/moto.js';

const REGION = 'us-east-1';
const AMI = 'ami-12345678';

describe('Ec2Fleet on moto', () => {
  const moto = useMoto();
  let ec2: EC2Client;
  let fleet: Ec2Fleet;

  beforeEach(async () => {
    await moto.reset();
    ec2 = new EC2Client(moto.clientConfig);
    fleet = new Ec2Fleet((region) => new EC2Client({ ...moto.clientConfig, region }));
  });

  async function run(count: number, tags: Record<string, string> = {}, subnetId?: string): Promise<string[]> {
    const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    const res = await ec2.send(
      new RunInstancesCommand({
        ImageId: AMI,
        MinCount: count,
        MaxCount: count,
        InstanceType: 't3.micro',
        SubnetId: subnetId,
        TagSpecifications: tagList.length ? [{ ResourceType: 'instance', Tags: tagList }] : undefined,
      }),
    );
    return (res.Instances ?? []).map((i) => i.InstanceId!);
  }

  it('maps an instance: tags, ISO launch time, owner account, placement', async () => {
    // Arrange
    const [id] = await run(1, { Monitor: 'true', Name: 'web-1', MonitorGroup: 'web' });

    // Act
    const [found] = await fleet.find(REGION, { instanceIds: [id!] });

    // Assert
    expect(found).toMatchObject({
      region: REGION,
      instanceId: id,
      state: 'running',
      instanceType: 't3.micro',
      tags: { Monitor: 'true', Name: 'web-1', MonitorGroup: 'web' },
    });
    expect(found!.launchTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(found!.accountId).toMatch(/^\d{12}$/);
    expect(found!.availabilityZone).toMatch(/^us-east-1[a-z]$/);
    expect(found!.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('reads whether detailed monitoring is on, which sets the CloudWatch period of the idle check', async () => {
    const [basic] = await run(1);
    const res = await ec2.send(
      new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, Monitoring: { Enabled: true } }),
    );
    const detailed = res.Instances![0]!.InstanceId!;

    const found = await fleet.find(REGION, { instanceIds: [basic!, detailed] });

    const byId = new Map(found.map((f) => [f.instanceId, f.detailedMonitoring]));
    expect(byId.get(basic!)).toBe(false);
    expect(byId.get(detailed)).toBe(true);
  });

  it('filters server-side by state, tag value, tag key and VPC', async () => {
    // Arrange
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '10.9.1.0/24' }),
    );
    const [monitored] = await run(1, { Monitor: 'true', Team: 'a' });
    const [optedOut] = await run(1, { Monitor: 'false', Team: 'a' });
    const [untagged] = await run(1);
    const [inVpc] = await run(1, { Monitor: 'TRUE' }, subnet.Subnet!.SubnetId);
    const [stopped] = await run(1, { Monitor: 'true' });
    await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped!] }));

    // Act
    const running = await fleet.find(REGION, { states: ['running'], tags: { Monitor: ['true', 'TRUE'] } });
    const withTeam = await fleet.find(REGION, { tagKeys: ['Team'] });
    const byVpc = await fleet.find(REGION, { vpcId: vpc.Vpc!.VpcId! });
    const stoppedOnes = await fleet.find(REGION, { states: ['stopped'] });

    // Assert
    expect(running.map((i) => i.instanceId).sort()).toEqual([monitored, inVpc].sort());
    expect(withTeam.map((i) => i.instanceId).sort()).toEqual([monitored, optedOut].sort());
    expect(byVpc.map((i) => i.instanceId)).toEqual([inVpc]);
    expect(stoppedOnes.map((i) => i.instanceId)).toEqual([stopped]);
    expect(untagged).toBeDefined();
  });

  // Launching a thousand-plus instances on moto takes 10-20 s on a busy 2-core
  // machine, so these two get a longer limit than the suite's 30 s.
  it('lists 1,200 instances with one DescribeInstances page per 1,000, not one call per instance', async () => {
    // Arrange: moto pages by reservation, so 1,200 instances in one reservation are one page.
    await run(1200, { Monitor: 'true' });

    // Act
    const found = await fleet.find(REGION, { states: ['running'], tags: { Monitor: ['true'] } });

    // Assert
    expect(found).toHaveLength(1200);
    expect(new Set(found.map((i) => i.instanceId)).size).toBe(1200);
    expect(fleet.stats.describeCalls).toBe(1);
  }, 120_000);

  it('follows NextToken across pages', async () => {
    // Arrange: 12 reservations with a page size of 5 give three pages on moto.
    for (let i = 0; i < 12; i++) await run(2, { Monitor: 'true' });
    const smallPages = new Ec2Fleet((region) => new EC2Client({ ...moto.clientConfig, region }), {
      pageSize: 5,
    });

    // Act
    const found = await smallPages.find(REGION, { tags: { Monitor: ['true'] } });

    // Assert
    expect(new Set(found.map((i) => i.instanceId)).size).toBe(24);
    expect(smallPages.stats.describeCalls).toBe(3);
  });

  it('stops and starts in batches of at most 1,000 ids per call', async () => {
    // Arrange
    const ids = await run(1100);

    // Act
    const stopped = await fleet.stop(REGION, ids);

    // Assert
    expect(fleet.stats.stopCalls).toBe(2);
    expect(stopped).toHaveLength(1100);
    expect(stopped[0]).toMatchObject({ previousState: 'running', currentState: 'stopping' });
    const after = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids.slice(0, 5) }));
    const states = after.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State?.Name);
    expect(states.every((s) => s === 'stopped')).toBe(true);

    // Act
    const started = await fleet.start(REGION, ids.slice(0, 3));

    // Assert
    expect(fleet.stats.startCalls).toBe(1);
    expect(started.map((t) => t.instanceId).sort()).toEqual(ids.slice(0, 3).sort());
  }, 120_000);

  it('changes the instance type', async () => {
    // Arrange
    const [id] = await run(1);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [id!] }));

    // Act
    await fleet.setInstanceType(REGION, id!, 'm5.large');

    // Assert
    const attr = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: id!, Attribute: 'instanceType' }),
    );
    expect(attr.InstanceType?.Value).toBe('m5.large');
  });

  it('returns nothing for ids that no longer exist, and translates errors on stop', async () => {
    // Arrange
    const [id] = await run(1);
    await ec2.send(new CreateTagsCommand({ Resources: [id!], Tags: [{ Key: 'Monitor', Value: 'true' }] }));

    // Act
    const found = await fleet.find(REGION, { instanceIds: ['i-0000000000000dead', id!] });
    const stopping = fleet.stop(REGION, ['i-0000000000000dead']);

    // Assert
    expect(found.map((i) => i.instanceId)).toEqual([id]);
    await expect(stopping).rejects.toBeInstanceOf(NotFoundError);
    await expect(stopping).rejects.toThrow(/InvalidInstanceID\.NotFound/);
  });

  it('takes an async client factory (the chat functions load the EC2 SDK at first use)', async () => {
    // Arrange
    const [id] = await run(1, { Monitor: 'true' });
    const lazyFleet = new Ec2Fleet(async (region) => new EC2Client({ ...moto.clientConfig, region }));

    // Act
    const found = await lazyFleet.find(REGION, { instanceIds: [id!] });
    const stopped = await lazyFleet.stop(REGION, [id!]);

    // Assert
    expect(found.map((i) => i.instanceId)).toEqual([id]);
    expect(stopped).toEqual([{ instanceId: id, previousState: 'running', currentState: 'stopping' }]);
  });
});
