import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { Ec2SpotPrices } from '../../src/aws/ec2SpotPrices.js';
import { useMoto } from '../support/moto.js';

const REGION = 'us-east-1';
const now = new Date('2026-11-21T10:00:00Z');

describe('spot prices and what pricing needs, from EC2 (moto)', () => {
  const moto = useMoto();
  const client = (region: string) => new EC2Client({ ...moto.clientConfig, region });

  beforeEach(async () => {
    await moto.reset();
  });

  it("reads the current spot price of the instance's type and zone", async () => {
    // Arrange
    const spot = new Ec2SpotPrices(client);

    // Act
    const usd = await spot.spotHourlyUsd(
      {
        region: REGION,
        availabilityZone: 'us-east-1a',
        instanceType: 'm5.large',
        productDescription: 'Linux/UNIX',
      },
      now,
    );

    // Assert: moto publishes one flat price per type and zone
    expect(usd).toBe(0.00001);
    expect(spot.stats.describeSpotPriceHistoryCalls).toBe(1);
  });

  it('answers undefined for a series EC2 does not price', async () => {
    const usd = await new Ec2SpotPrices(client).spotHourlyUsd(
      {
        region: REGION,
        availabilityZone: 'us-east-1z',
        instanceType: 'm5.large',
        productDescription: 'Linux/UNIX',
      },
      now,
    );
    expect(usd).toBeUndefined();
  });

  it('lists spot instances as spot, with their tenancy and platform', async () => {
    // Arrange
    const ec2 = client(REGION);
    const common = { ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1, InstanceType: 'm5.large' as const };
    await ec2.send(new RunInstancesCommand({ ...common, InstanceMarketOptions: { MarketType: 'spot' } }));
    await ec2.send(new RunInstancesCommand(common));

    // Act
    const found = await new Ec2Fleet(client).find(REGION, {});

    // Assert
    expect(found.map((i) => i.lifecycle).sort()).toEqual(['spot', undefined]);
    expect(found.every((i) => i.tenancy === 'default')).toBe(true);
  });
});
