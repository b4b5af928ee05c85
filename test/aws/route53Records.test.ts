import { beforeEach, describe, expect, it } from 'vitest';
import { Route53Records } from '../../src/aws/route53Records.js';
import { NotFoundError } from '../../src/core/errors.js';
import { cleanupWorld } from '../support/cleanupWorld.js';
import { useMoto } from '../support/moto.js';

describe('Route53Records (moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  it('lists every page of a zone', async () => {
    const zoneId = await world.createZone('internal.');
    for (let i = 0; i < 7; i++) await world.putA(zoneId, `h${i}.internal.`, [`10.0.0.${i}`]);
    const dns = new Route53Records(world.route53(), 3);

    const records = await dns.listRecords(zoneId);

    expect(records.filter((r) => r.type === 'A').map((r) => r.name)).toHaveLength(7);
    expect(dns.stats.listCalls).toBeGreaterThan(2);
  });

  it('deletes a record, and deleting it again succeeds', async () => {
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web-1.internal.', ['10.0.0.5']);
    const dns = new Route53Records(world.route53());
    const [record] = (await dns.listRecords(zoneId)).filter((r) => r.type === 'A');

    await dns.deleteRecord(zoneId, record!);
    await dns.deleteRecord(zoneId, record!);

    expect(await world.records(zoneId)).toEqual({});
  });

  it('replaces a shared record with the remaining values', async () => {
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web.internal.', ['10.0.0.5', '10.0.0.6']);
    const dns = new Route53Records(world.route53());
    const [before] = (await dns.listRecords(zoneId)).filter((r) => r.type === 'A');

    await dns.replaceRecord(zoneId, before!, { ...before!, values: ['10.0.0.6'] });

    expect(await world.records(zoneId)).toEqual({ 'web.internal. A': ['10.0.0.6'] });
  });

  it('names a missing zone', async () => {
    const dns = new Route53Records(world.route53());

    await expect(dns.listRecords('ZNOSUCHZONE1')).rejects.toBeInstanceOf(NotFoundError);
  });
});
