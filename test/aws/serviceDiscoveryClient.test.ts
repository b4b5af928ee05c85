import { DiscoverInstancesCommand } from '@aws-sdk/client-servicediscovery';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadServiceDiscoveryClient } from '../../src/aws/clients.js';
import { loadConfig } from '../../src/config/index.js';
import { cleanupWorld } from '../support/cleanupWorld.js';
import { useMoto } from '../support/moto.js';

describe('Cloud Map client against a custom endpoint (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  it('disables the data- host prefix when the config says a custom endpoint is set', async () => {
    const serviceId = await world.createService('web');
    await world.register(serviceId, 'i-0000000000000001a', { AWS_INSTANCE_IPV4: '10.0.0.1' });
    const { cleanup } = loadConfig({ AWS_ENDPOINT_URL: moto.endpoint });
    // DiscoverInstances is a data-plane call: with the prefix the SDK would dial data-127.0.0.1.
    const client = await loadServiceDiscoveryClient('us-east-1', {
      customEndpoint: cleanup.cloudMapCustomEndpoint,
    });

    const res = await client.send(
      new DiscoverInstancesCommand({ NamespaceName: 'ns-web', ServiceName: 'web' }),
    );

    expect(cleanup.cloudMapCustomEndpoint).toBe(true);
    expect(res.Instances?.map((i) => i.InstanceId)).toEqual(['i-0000000000000001a']);
    expect((await loadServiceDiscoveryClient('us-east-1', {})).config.disableHostPrefix).toBe(false);
  });
});
