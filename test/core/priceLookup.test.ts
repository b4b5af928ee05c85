import { describe, expect, it } from 'vitest';
import { planPriceLookup, productOf } from '../../src/core/priceLookup.js';

const now = new Date('2026-11-21T10:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
const linux = {
  region: 'eu-west-1',
  instanceType: 'm5.large',
  availabilityZone: 'eu-west-1a',
  platform: 'Linux/UNIX',
  tenancy: 'default',
};

describe('planPriceLookup', () => {
  it('asks the price list for an On-Demand instance by its product attributes', () => {
    // Act
    const plan = planPriceLookup(undefined, linux, undefined, now);

    // Assert
    expect(plan).toEqual({
      kind: 'on-demand',
      key: 'on-demand|eu-west-1|m5.large|Linux|No License required|NA|Shared',
      query: {
        instanceType: 'm5.large',
        regionCode: 'eu-west-1',
        operatingSystem: 'Linux',
        licenseModel: 'No License required',
        preInstalledSw: 'NA',
        tenancy: 'Shared',
        capacitystatus: 'Used',
      },
      reason: 'On-Demand price list',
    });
  });

  it('maps licences, pre-installed software and tenancy to price list attributes', () => {
    const sql = planPriceLookup(
      undefined,
      { ...linux, platform: 'Windows with SQL Server Standard', tenancy: 'dedicated' },
      undefined,
      now,
    );
    const byol = planPriceLookup(undefined, { ...linux, platform: 'Windows BYOL' }, undefined, now);
    const legacy = planPriceLookup(undefined, { ...linux, platform: 'windows' }, undefined, now);
    expect(sql).toMatchObject({
      query: { operatingSystem: 'Windows', preInstalledSw: 'SQL Std', tenancy: 'Dedicated' },
    });
    expect(byol).toMatchObject({
      query: { operatingSystem: 'Windows', licenseModel: 'Bring your own license' },
    });
    expect(legacy).toMatchObject({
      query: { operatingSystem: 'Windows', licenseModel: 'No License required' },
    });
    expect(productOf(undefined)?.operatingSystem).toBe('Linux');
  });

  it('asks for the spot price of a spot instance in its zone', () => {
    const plan = planPriceLookup(undefined, { ...linux, lifecycle: 'spot' }, undefined, now);
    expect(plan).toMatchObject({
      kind: 'spot',
      key: 'spot|eu-west-1a|m5.large|Linux/UNIX',
      query: { region: 'eu-west-1', availabilityZone: 'eu-west-1a', productDescription: 'Linux/UNIX' },
    });
  });

  it('lets the HourlyCost tag override both, and keeps an unchanged tag price as it was', () => {
    const first = planPriceLookup(undefined, { ...linux, lifecycle: 'spot' }, 0.06, now);
    const kept = { hourlyUsd: 0.06, source: 'tag' as const, at: hoursAgo(100) };
    expect(first).toMatchObject({
      kind: 'tag',
      price: { hourlyUsd: 0.06, source: 'tag', at: now.toISOString() },
    });
    expect(planPriceLookup(kept, linux, 0.06, now)).toMatchObject({ kind: 'keep', price: kept });
    expect(planPriceLookup(kept, linux, 0.07, now)).toMatchObject({
      kind: 'tag',
      price: { hourlyUsd: 0.07 },
    });
    // The tag removed: back to the price list.
    expect(planPriceLookup(kept, linux, undefined, now)).toMatchObject({ kind: 'on-demand' });
  });

  it('keeps a looked-up price until its TTL runs out: a day On-Demand, an hour spot', () => {
    const od = { hourlyUsd: 0.107, source: 'on-demand' as const, at: hoursAgo(23) };
    const oldOd = { ...od, at: hoursAgo(24) };
    const spot = { hourlyUsd: 0.03, source: 'spot' as const, at: hoursAgo(1) };
    expect(planPriceLookup(od, linux, undefined, now)).toMatchObject({ kind: 'keep', price: od });
    expect(planPriceLookup(oldOd, linux, undefined, now)).toMatchObject({ kind: 'on-demand' });
    expect(planPriceLookup(spot, { ...linux, lifecycle: 'spot' }, undefined, now)).toMatchObject({
      kind: 'spot',
    });
  });

  it('gives a reason instead of a price where none can be looked up', () => {
    expect(planPriceLookup(undefined, { ...linux, tenancy: 'host' }, undefined, now)).toEqual({
      kind: 'unknown',
      reason: 'host tenancy is billed per host, not per instance',
    });
    expect(planPriceLookup(undefined, { ...linux, platform: 'Plan 9' }, undefined, now)).toMatchObject({
      kind: 'unknown',
    });
    expect(planPriceLookup(undefined, { ...linux, instanceType: undefined }, undefined, now)).toMatchObject({
      kind: 'unknown',
    });
    expect(
      planPriceLookup(undefined, { ...linux, lifecycle: 'capacity-block' }, undefined, now),
    ).toMatchObject({ kind: 'unknown' });
  });
});
