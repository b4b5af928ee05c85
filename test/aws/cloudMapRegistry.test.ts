import { beforeEach, describe, expect, it } from 'vitest';
import { CloudMapRegistry } from '../../src/aws/cloudMapRegistry.js';
import { NotFoundError } from '../../src/core/errors.js';
import { cleanupWorld } from '../support/cleanupWorld.js';
import { useMoto } from '../support/moto.js';

describe('CloudMapRegistry (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  it('lists every page with attributes', async () => {
    const serviceId = await world.createService('web');
    for (let i = 0; i < 5; i++) {
      await world.register(serviceId, `i-000000000000000${i}a`, { AWS_INSTANCE_IPV4: `10.0.0.${i}` });
    }
    const registry = new CloudMapRegistry((region) => world.cloudMap(region), 2);

    const instances = await registry.listInstances('us-east-1', serviceId);

    expect(instances).toHaveLength(5);
    expect(instances[0]?.attributes.AWS_INSTANCE_IPV4).toBe('10.0.0.0');
    expect(registry.stats.listCalls).toBe(3);
  });

  it('deregisters, and reports false for an instance that is not registered', async () => {
    const serviceId = await world.createService('web');
    await world.register(serviceId, 'i-0000000000000001a', { AWS_INSTANCE_IPV4: '10.0.0.1' });
    const registry = new CloudMapRegistry((region) => world.cloudMap(region));

    const first = await registry.deregister('us-east-1', serviceId, 'i-0000000000000001a');
    const again = await registry.deregister('us-east-1', serviceId, 'i-0000000000000001a');

    expect([first, again]).toEqual([true, false]);
    expect(await world.registered(serviceId)).toEqual([]);
  });

  it('names a missing service', async () => {
    const registry = new CloudMapRegistry((region) => world.cloudMap(region));

    await expect(registry.listInstances('us-east-1', 'srv-doesnotexist')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
