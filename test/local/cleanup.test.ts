import { beforeEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config/index.js';
import type { DomainEvent } from '../../src/core/events.js';
import { startCleanup } from '../../src/local/cleanup.js';
import { createLogger } from '../../src/log.js';
import { InProcessEventBus } from '../../src/services/monitor/eventBus.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { cleanupWorld, terminatedRecord } from '../support/cleanupWorld.js';
import { useMoto } from '../support/moto.js';

/** Starts cleanup on a fresh bus, publishes one instance.terminated, and stops it once that is handled. */
async function terminateWithCleanup(config: Config) {
  const bus = new InProcessEventBus();
  const seen: DomainEvent[] = [];
  bus.subscribe(async (e) => void seen.push(e));
  const cleanup = await startCleanup({
    config,
    log: createLogger('test', 'ERROR'),
    bus,
    db: openDatabase(':memory:'),
  });
  await bus.publish({
    type: 'instance.terminated',
    record: terminatedRecord(),
    runtimeSeconds: 10,
    at: new Date().toISOString(),
  });
  await cleanup.stop();
  return { cleanup, seen };
}

describe('single-process cleanup on the event bus (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  it('runs the hooks on instance.terminated and reports instance.cleaned-up on the bus', async () => {
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web-1.internal.', ['10.0.0.5']);
    const serviceId = await world.createService('web');
    await world.register(serviceId, 'i-0abc1234def567890', { AWS_INSTANCE_IPV4: '10.0.0.5' });
    const config = loadConfig({
      AWS_ENDPOINT_URL: moto.endpoint,
      CLEANUP_HOSTED_ZONES: zoneId,
      CLEANUP_CLOUDMAP_SERVICES: serviceId,
      LOG_LEVEL: 'error',
    });

    const { seen } = await terminateWithCleanup(config);

    expect(await world.records(zoneId)).toEqual({});
    expect(await world.registered(serviceId)).toEqual([]);
    expect(seen.map((e) => e.type)).toEqual(['instance.terminated', 'instance.cleaned-up']);
    expect(seen[1]).toMatchObject({
      outcomes: [
        { hook: 'route53', ok: true, summary: 'removed web-1.internal A' },
        { hook: 'cloudmap', ok: true, summary: `deregistered from ${serviceId}` },
      ],
    });
  });

  it('does nothing when CLEANUP_ENABLED=false', async () => {
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web-1.internal.', ['10.0.0.5']);
    const config = loadConfig({
      AWS_ENDPOINT_URL: moto.endpoint,
      CLEANUP_HOSTED_ZONES: zoneId,
      CLEANUP_ENABLED: 'false',
    });

    const { cleanup } = await terminateWithCleanup(config);

    expect(cleanup.service).toBeUndefined();
    expect(await world.records(zoneId)).toEqual({ 'web-1.internal. A': ['10.0.0.5'] });
  });
});
