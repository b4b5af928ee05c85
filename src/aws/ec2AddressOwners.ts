/**
 * Looks up who holds IP addresses now, for the DNS cleanup's reuse check:
 * instances in any state but terminated (a stopped instance keeps its private
 * IP), matched by private or public IP, and Elastic IPs still allocated to the
 * account. At most three filtered calls per cleanup.
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import type { AddressOwners } from '../ports/addressOwners.js';
import { awsCall } from './errors.js';

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

export class Ec2AddressOwners implements AddressOwners {
  /** `clientFor`: the EC2 client of a region, e.g. `loadEc2Client` from `./clients.js`. */
  constructor(private readonly clientFor: (region: string) => EC2Client | Promise<EC2Client>) {}

  async holders(region: string, ips: string[], instanceId: string): Promise<Record<string, string>> {
    const wanted = [...new Set(ips.filter(Boolean))];
    const out: Record<string, string> = {};
    if (wanted.length === 0) return out;
    const client = await this.clientFor(region);

    for (const filterName of ['private-ip-address', 'ip-address']) {
      const filters: Filter[] = [
        { Name: filterName, Values: wanted },
        { Name: 'instance-state-name', Values: LIVE_STATES },
      ];
      let nextToken: string | undefined;
      do {
        const page = await awsCall(`DescribeInstances ${filterName} in ${region}`, () =>
          client.send(new DescribeInstancesCommand({ Filters: filters, NextToken: nextToken })),
        );
        for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
          if (!i.InstanceId || i.InstanceId === instanceId) continue;
          for (const ip of [i.PrivateIpAddress, i.PublicIpAddress]) {
            if (ip && wanted.includes(ip))
              out[ip] ??= `${i.InstanceId} (${i.State?.Name ?? 'unknown state'})`;
          }
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken);
    }

    const addresses = await awsCall(`DescribeAddresses in ${region}`, () =>
      client.send(new DescribeAddressesCommand({ Filters: [{ Name: 'public-ip', Values: wanted }] })),
    );
    for (const a of addresses.Addresses ?? []) {
      if (a.PublicIp && !(a.PublicIp in out)) {
        out[a.PublicIp] = `Elastic IP ${a.AllocationId ?? a.PublicIp}, still allocated to the account`;
      }
    }
    return out;
  }
}
