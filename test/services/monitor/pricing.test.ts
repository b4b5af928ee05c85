import { describe, expect, it } from 'vitest';
import { InstancePricer } from '../../../src/services/pricing/instancePricer.js';
import { MemoryPriceCache, TablePriceSource } from '../../support/fakePrices.js';
import { engine, fire, launch } from './harness.js';

function pricedEngine() {
  const source = new TablePriceSource({ 'm5.large': 0.107, 't3.micro': 0.0104 }, { 'm5.large': 0.0312 });
  const cache = new MemoryPriceCache();
  const pricer = new InstancePricer({ onDemand: source, spot: source, cache });
  const e = engine({}, undefined, { pricer });
  return { ...e, source, cache };
}

describe('the price of a run', () => {
  it('is looked up once when the run is first seen and travels with every nag', async () => {
    // Arrange
    const e = pricedEngine();
    const i = e.fleet.add({
      launchTime: e.clock.now().toISOString(),
      instanceType: 'm5.large',
      tags: { Monitor: 'true', Threshold: '2' },
    });

    // Act
    await e.service.reconcile();
    const first = await fire(e, i);
    await fire(e, i);

    // Assert
    const record = await e.store.get(i);
    expect(record?.price).toEqual({ hourlyUsd: 0.107, source: 'on-demand', at: '2026-03-02T08:00:00.000Z' });
    expect(e.source.onDemandAsked).toHaveLength(1);
    expect(e.source.onDemandAsked[0]).toMatchObject({
      instanceType: 'm5.large',
      regionCode: 'eu-west-1',
      operatingSystem: 'Linux',
      tenancy: 'Shared',
    });
    expect(e.notifier.sent.map((n) => n.price)).toEqual([record?.price, record?.price]);
    expect(first.dueAt).toBe('2026-03-02T10:00:00.000Z');
  });

  it('causes no write in sweeps that see nothing new, even once the price is old', async () => {
    // Arrange
    const e = pricedEngine();
    const i = await launch(e, { Monitor: 'true', Threshold: '3d' });
    const before = await e.store.get(i);

    // Act: sweeps over two days, past the price's lifetime
    for (let h = 0; h < 48; h += 6) {
      e.clock.advance(6 * 3600);
      await e.service.reconcile();
    }

    // Assert
    expect((await e.store.get(i))?.version).toBe(before?.version);
    expect(e.source.onDemandAsked).toHaveLength(1);
  });

  it('is looked up again by a nag once it is a day old', async () => {
    // Arrange
    const e = pricedEngine();
    const i = await launch(e, { Monitor: 'true', Threshold: '1d', RenotifyEvery: '6h' });

    // Act
    await fire(e, i); // a day after launch: the price is a day old
    await fire(e, i); // six hours later: still fresh

    // Assert
    expect(e.source.onDemandAsked).toHaveLength(2);
    expect((await e.store.get(i))?.price?.at).toBe('2026-03-03T08:00:00.000Z');
    expect(e.notifier.sent.map((n) => n.price?.at)).toEqual([
      '2026-03-03T08:00:00.000Z',
      '2026-03-03T08:00:00.000Z',
    ]);
  });

  it('comes from the spot market for a spot instance', async () => {
    // Arrange
    const e = pricedEngine();
    const i = e.fleet.add({
      launchTime: e.clock.now().toISOString(),
      instanceType: 'm5.large',
      lifecycle: 'spot',
      tags: { Monitor: 'true' },
    });

    // Act
    await e.service.reconcile();

    // Assert
    expect((await e.store.get(i))?.price).toMatchObject({ hourlyUsd: 0.0312, source: 'spot' });
    expect(e.source.spotAsked).toEqual([
      {
        region: 'eu-west-1',
        availabilityZone: 'eu-west-1a',
        instanceType: 'm5.large',
        productDescription: 'Linux/UNIX',
      },
    ]);
    expect(e.source.onDemandAsked).toEqual([]);
  });

  it('comes from the HourlyCost tag when it is set, and a malformed tag is a warning on the instance', async () => {
    // Arrange
    const e = pricedEngine();
    const tagged = await launch(e, { Monitor: 'true', Threshold: '2', HourlyCost: '0.05' });
    const bad = await launch(e, { Monitor: 'true', Threshold: '2', HourlyCost: '5 cents' });

    // Act
    await fire(e, bad);

    // Assert
    expect((await e.store.get(tagged))?.price).toEqual({
      hourlyUsd: 0.05,
      source: 'tag',
      at: '2026-03-02T08:00:00.000Z',
    });
    const badRecord = await e.store.get(bad);
    expect(badRecord?.price).toMatchObject({ hourlyUsd: 0.0104, source: 'on-demand' });
    expect(e.notifier.sent[0]?.warnings).toEqual([
      'HourlyCost "5 cents" is not an hourly price in US dollars such as 4.10; using the looked-up price',
    ]);
  });

  it('stays unknown, never 0, when no source has one', async () => {
    // Arrange
    const e = pricedEngine();
    const i = e.fleet.add({
      launchTime: e.clock.now().toISOString(),
      instanceType: 'p5.48xlarge',
      tags: { Monitor: 'true', Threshold: '2' },
    });

    // Act
    await e.service.reconcile();
    await fire(e, i);

    // Assert
    expect(await e.store.get(i)).not.toHaveProperty('price');
    expect(e.notifier.sent[0]).not.toHaveProperty('price');
  });
});
