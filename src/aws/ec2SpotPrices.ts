/**
 * Spot prices from EC2's DescribeSpotPriceHistory: asked with a start time of
 * now, EC2 answers with the price in force now for each series of the
 * instance type and zone. VPC instances are priced under both the plain
 * product description and its legacy `(Amazon VPC)` twin; the latest entry wins.
 */
import type { _InstanceType, EC2Client } from '@aws-sdk/client-ec2';
import type { SpotQuery } from '../core/priceLookup.js';
import type { SpotPriceSource } from '../ports/priceSource.js';
import { loadEc2Sdk } from './clients.js';
import { awsCall } from './errors.js';

export class Ec2SpotPrices implements SpotPriceSource {
  readonly stats = { describeSpotPriceHistoryCalls: 0 };

  constructor(private readonly clientFor: (region: string) => EC2Client | Promise<EC2Client>) {}

  async spotHourlyUsd(query: SpotQuery, now: Date): Promise<number | undefined> {
    const [{ DescribeSpotPriceHistoryCommand }, client] = await Promise.all([
      loadEc2Sdk(),
      this.clientFor(query.region),
    ]);
    this.stats.describeSpotPriceHistoryCalls++;
    const res = await awsCall(
      `DescribeSpotPriceHistory ${query.instanceType} in ${query.availabilityZone}`,
      () =>
        client.send(
          new DescribeSpotPriceHistoryCommand({
            InstanceTypes: [query.instanceType as _InstanceType],
            ProductDescriptions: [query.productDescription, `${query.productDescription} (Amazon VPC)`],
            // The zone as a filter rather than the AvailabilityZone parameter: both work on EC2, and moto reads only the filter.
            Filters: [{ Name: 'availability-zone', Values: [query.availabilityZone] }],
            StartTime: now,
            EndTime: now,
          }),
        ),
    );
    const latest = (res.SpotPriceHistory ?? [])
      .filter((p) => p.AvailabilityZone === query.availabilityZone && p.InstanceType === query.instanceType)
      .sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
    const usd = Number(latest?.SpotPrice);
    return latest && Number.isFinite(usd) && usd > 0 ? usd : undefined;
  }
}
