/**
 * Arrangement helpers for the cleanup suites: Route53 zones and records, Cloud
 * Map services and registrations, EC2 instances, all on moto, plus a
 * terminated instance record as the engine hands it over.
 */
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import type { InstanceRecord } from '../../src/core/instance.js';
import type { MotoServer } from './moto.js';

export function cleanupWorld(moto: MotoServer) {
  const route53 = () => new Route53Client(moto.clientConfig);
  const cloudMap = (region = 'us-east-1') =>
    new ServiceDiscoveryClient({ ...moto.clientConfig, region, disableHostPrefix: true });
  const ec2 = (region = 'us-east-1') => new EC2Client({ ...moto.clientConfig, region });

  return {
    route53,
    cloudMap,
    ec2,

    async createZone(name: string): Promise<string> {
      const res = await route53().send(
        new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Math.random()}` }),
      );
      return (res.HostedZone?.Id ?? '').replace('/hostedzone/', '');
    },

    async putA(zoneId: string, name: string, values: string[], type: 'A' | 'AAAA' | 'CNAME' | 'TXT' = 'A') {
      await route53().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: name,
                  Type: type,
                  TTL: 300,
                  ResourceRecords: values.map((Value) => ({ Value })),
                },
              },
            ],
          },
        }),
      );
    },

    /** `name type` → values, for the A/AAAA/CNAME records of the zone. */
    async records(zoneId: string): Promise<Record<string, string[]>> {
      const res = await route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      const out: Record<string, string[]> = {};
      for (const r of res.ResourceRecordSets ?? []) {
        if (r.Type === 'SOA' || r.Type === 'NS') continue;
        out[`${r.Name} ${r.Type}`] = (r.ResourceRecords ?? []).map((v) => v.Value ?? '');
      }
      return out;
    },

    async createService(name: string, region = 'us-east-1'): Promise<string> {
      const client = cloudMap(region);
      await client.send(new CreateHttpNamespaceCommand({ Name: `ns-${name}` }));
      const namespaces = await client.send(new ListNamespacesCommand({}));
      const ns = namespaces.Namespaces?.find((n) => n.Name === `ns-${name}`);
      const svc = await client.send(new CreateServiceCommand({ Name: name, NamespaceId: ns?.Id }));
      return svc.Service?.Id ?? '';
    },

    async register(
      serviceId: string,
      instanceId: string,
      attributes: Record<string, string>,
      region = 'us-east-1',
    ) {
      await cloudMap(region).send(
        new RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId, Attributes: attributes }),
      );
    },

    async registered(serviceId: string, region = 'us-east-1'): Promise<string[]> {
      const res = await cloudMap(region).send(new ListInstancesCommand({ ServiceId: serviceId }));
      return (res.Instances ?? []).map((i) => i.Id ?? '').sort();
    },

    /** Runs one instance; returns its id and IPs as EC2 reports them. */
    async runInstance(region = 'us-east-1') {
      const res = await ec2(region).send(
        new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1 }),
      );
      const i = res.Instances?.[0];
      return {
        instanceId: i?.InstanceId ?? '',
        privateIp: i?.PrivateIpAddress,
        publicIp: i?.PublicIpAddress,
      };
    },
  };
}

export function terminatedRecord(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    region: 'us-east-1',
    instanceId: 'i-0abc1234def567890',
    launchTime: '2026-11-20T08:00:00.000Z',
    state: 'terminated',
    stateChangedAt: '2026-11-20T18:00:00.000Z',
    name: 'web-1',
    privateIp: '10.0.0.5',
    publicIp: '54.1.2.3',
    tags: { Name: 'web-1' },
    group: 'dev',
    thresholdSeconds: 43_200,
    renotifySeconds: 3600,
    extensionSeconds: 0,
    nagCount: 0,
    warnings: [],
    chatRefs: [],
    version: 3,
    ...overrides,
  };
}
