/**
 * Cleanup benchmark: how the pure cleanup rules scale with zone and service
 * size, and how many AWS calls a Cloud Map reconcile costs. Prints figures,
 * asserts nothing. `npm run bench -- cleanup`.
 *
 * - planZoneCleanup over zones of 1,000 to 50,000 record sets (a termination
 *   lists and plans every configured zone once);
 * - reconcileCloudMap over 100 to 10,000 registrations;
 * - the reconciler's DescribeInstances calls for 5,000 registrations over
 *   two regions (filtered by id, 200 ids per call), counted on a fake fleet.
 */
import { type DnsRecordSet, planZoneCleanup } from '../src/core/cleanup/dnsCleanupPlan.js';
import { type RegisteredInstance, reconcileCloudMap } from '../src/core/cloudMapReconcile.js';
import type { FleetInstance, FleetQuery } from '../src/ports/fleet.js';
import { CloudMapReconciler } from '../src/services/cleanup/cloudMapReconciler.js';

const ip = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const instanceId = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

function time<T>(fn: () => T, repeat = 5): { ms: number; value: T } {
  let value = fn();
  const started = performance.now();
  for (let i = 0; i < repeat; i++) value = fn();
  return { ms: (performance.now() - started) / repeat, value };
}

function zoneOf(size: number): DnsRecordSet[] {
  return Array.from({ length: size }, (_, n) => ({
    name: `h${n}.internal.`,
    type: n % 10 === 0 ? 'CNAME' : 'A',
    ttl: 300,
    values: n % 7 === 0 ? [ip(n), ip(n + 1)] : [ip(n)],
    alias: false,
  }));
}

export const cleanupBench = {
  name: 'cleanup',
  async run(): Promise<void> {
    console.log('planZoneCleanup (one configured zone, instance holding one IP):');
    for (const size of [1_000, 10_000, 50_000]) {
      const records = zoneOf(size);
      const { ms, value } = time(() =>
        planZoneCleanup({
          zoneId: 'Z1',
          records,
          instance: { instanceId: 'i-0abc', privateIp: ip(Math.floor(size / 2) + 1) },
          taggedNames: [],
          scanByIp: true,
        }),
      );
      console.log(
        `  ${String(size).padStart(6)} record sets: ${ms.toFixed(2)} ms, ${value.changes.length} change(s)`,
      );
    }

    console.log('reconcileCloudMap (half running, a tenth without AWS_INSTANCE_IPV4):');
    for (const size of [100, 1_000, 10_000]) {
      const registered: RegisteredInstance[] = Array.from({ length: size }, (_, n) => ({
        id: instanceId(n),
        attributes: n % 10 === 0 ? ({} as Record<string, string>) : { AWS_INSTANCE_IPV4: ip(n) },
      }));
      const running = registered
        .filter((_, n) => n % 2 === 0)
        .map((r, n) => ({ instanceId: r.id, region: 'us-east-1', privateIp: ip(n * 2) }));
      const { ms, value } = time(() =>
        reconcileCloudMap({ serviceId: 'srv-bench', registered, running, regions: ['us-east-1'] }),
      );
      console.log(
        `  ${String(size).padStart(6)} registrations: ${ms.toFixed(2)} ms, ${value.toDeregister.length} to deregister`,
      );
    }

    const size = 5_000;
    const registered = Array.from({ length: size }, (_, n) => ({
      id: instanceId(n),
      attributes: { AWS_INSTANCE_IPV4: ip(n) },
    }));
    let describeCalls = 0;
    const fleet = {
      async find(region: string, query: FleetQuery): Promise<FleetInstance[]> {
        // The EC2 adapter puts ids in an instance-id filter of at most 200 values per call.
        describeCalls += Math.ceil((query.instanceIds?.length ?? 0) / 200);
        return region === 'us-east-1'
          ? registered.map((r, n) => ({
              region,
              instanceId: r.id,
              state: 'running',
              launchTime: '2026-01-01T00:00:00Z',
              privateIp: ip(n),
              tags: {},
            }))
          : [];
      },
    };
    const registry = { listInstances: async () => registered, deregister: async () => true };
    const started = performance.now();
    await new CloudMapReconciler({ registry, fleet }).reconcile({
      serviceId: 'srv-bench',
      serviceRegion: 'us-east-1',
      instanceRegions: ['us-east-1', 'eu-west-1'],
    });
    console.log(
      `reconcile pass, ${size} registrations over 2 regions: ${describeCalls} DescribeInstances calls, ` +
        `${Math.ceil(size / 100)} ListInstances pages, ${(performance.now() - started).toFixed(1)} ms excluding AWS latency`,
    );
  },
};
