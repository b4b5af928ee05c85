/**
 * Which price an instance needs and where it comes from: the HourlyCost tag,
 * the current spot price, or the On-Demand price from the AWS Price List,
 * whose products are named by attributes (operatingSystem, licenseModel,
 * preInstalledSw, tenancy, capacitystatus, regionCode) that differ from what
 * DescribeInstances reports (PlatformDetails, Placement.Tenancy,
 * InstanceLifecycle). Pure: the pricing service performs the lookup.
 */
import { type InstancePrice, PRICE_TTL_SECONDS } from './price.js';

/** What EC2 says about an instance that decides its price (a FleetInstance fits). */
export interface PriceFacts {
  region: string;
  instanceType?: string;
  availabilityZone?: string;
  /** DescribeInstances' PlatformDetails (e.g. `Linux/UNIX`, `Windows with SQL Server Standard`), else Platform. */
  platform?: string;
  /** Placement.Tenancy: `default`, `dedicated` or `host`. */
  tenancy?: string;
  /** InstanceLifecycle: `spot`, `scheduled`, `capacity-block`; absent for On-Demand. */
  lifecycle?: string;
}

/** The Price List attributes of one On-Demand product. */
export interface OnDemandQuery {
  instanceType: string;
  regionCode: string;
  operatingSystem: string;
  licenseModel: string;
  preInstalledSw: string;
  tenancy: 'Shared' | 'Dedicated';
  /** `Used`: the price of a running instance (not of an unused reservation). */
  capacitystatus: 'Used';
}

/** One spot price series of DescribeSpotPriceHistory. */
export interface SpotQuery {
  region: string;
  availabilityZone: string;
  instanceType: string;
  productDescription: string;
}

export type PriceLookup =
  | { kind: 'keep'; price: InstancePrice; reason: string }
  | { kind: 'tag'; price: InstancePrice; reason: string }
  | { kind: 'on-demand'; key: string; query: OnDemandQuery; reason: string }
  | { kind: 'spot'; key: string; query: SpotQuery; reason: string }
  | { kind: 'unknown'; reason: string };

interface Product {
  operatingSystem: string;
  licenseModel: string;
  preInstalledSw: string;
  /** DescribeSpotPriceHistory's product description, where spot capacity exists for it. */
  spot?: string;
}

const NO_LICENCE = 'No License required';
const BYOL = 'Bring your own license';
const product = (os: string, sw = 'NA', licence = NO_LICENCE, spot?: string): Product => ({
  operatingSystem: os,
  licenseModel: licence,
  preInstalledSw: sw,
  spot,
});

/** PlatformDetails values (lower-cased) → Price List product attributes. */
const PRODUCTS: Record<string, Product> = {
  'linux/unix': product('Linux', 'NA', NO_LICENCE, 'Linux/UNIX'),
  'red hat enterprise linux': product('RHEL', 'NA', NO_LICENCE, 'Red Hat Enterprise Linux'),
  'red hat enterprise linux with ha': product('Red Hat Enterprise Linux with HA'),
  'red hat byol linux': product('RHEL', 'NA', BYOL),
  'suse linux': product('SUSE', 'NA', NO_LICENCE, 'SUSE Linux'),
  'ubuntu pro': product('Ubuntu Pro'),
  windows: product('Windows', 'NA', NO_LICENCE, 'Windows'),
  'windows byol': product('Windows', 'NA', BYOL),
  'windows with sql server standard': product('Windows', 'SQL Std'),
  'windows with sql server enterprise': product('Windows', 'SQL Ent'),
  'windows with sql server web': product('Windows', 'SQL Web'),
  'linux with sql server standard': product('Linux', 'SQL Std'),
  'linux with sql server enterprise': product('Linux', 'SQL Ent'),
  'linux with sql server web': product('Linux', 'SQL Web'),
};

/**
 * The product an instance runs. EC2 reports PlatformDetails for every
 * instance; older answers only carry Platform (`windows`, else absent = Linux).
 */
export function productOf(platform: string | undefined): Product | undefined {
  return PRODUCTS[(platform ?? 'Linux/UNIX').trim().toLowerCase()];
}

const TENANCY: Record<string, OnDemandQuery['tenancy']> = { default: 'Shared', dedicated: 'Dedicated' };

/** The cache key of an On-Demand price: one Pricing call per key per day. */
export const onDemandKey = (q: OnDemandQuery): string =>
  [
    'on-demand',
    q.regionCode,
    q.instanceType,
    q.operatingSystem,
    q.licenseModel,
    q.preInstalledSw,
    q.tenancy,
  ].join('|');

export const spotKey = (q: SpotQuery): string =>
  ['spot', q.availabilityZone, q.instanceType, q.productDescription].join('|');

const fresh = (price: InstancePrice, now: Date): boolean =>
  price.source !== 'tag' && Date.parse(price.at) + PRICE_TTL_SECONDS[price.source] * 1000 > now.getTime();

/**
 * Decides the price of a run. `current` is the price already on the record of
 * this run (never a previous run's); `tagUsd` the valid HourlyCost tag value.
 * A price still within its TTL is kept as it is, `at` included, so the record
 * does not change and nothing is written.
 */
export function planPriceLookup(
  current: InstancePrice | undefined,
  facts: PriceFacts,
  tagUsd: number | undefined,
  now: Date,
): PriceLookup {
  if (tagUsd !== undefined) {
    if (current?.source === 'tag' && current.hourlyUsd === tagUsd) {
      return { kind: 'keep', price: current, reason: 'HourlyCost tag unchanged' };
    }
    return {
      kind: 'tag',
      price: { hourlyUsd: tagUsd, source: 'tag', at: now.toISOString() },
      reason: 'the HourlyCost tag overrides looked-up prices',
    };
  }
  const spot = facts.lifecycle === 'spot';
  if (current && current.source === (spot ? 'spot' : 'on-demand') && fresh(current, now)) {
    return {
      kind: 'keep',
      price: current,
      reason: `${current.source} price read at ${current.at} still holds`,
    };
  }
  if (!facts.instanceType) return { kind: 'unknown', reason: 'EC2 reported no instance type' };
  const p = productOf(facts.platform);
  if (!p) return { kind: 'unknown', reason: `no price list product for platform "${facts.platform}"` };
  if (spot) {
    if (!p.spot || !facts.availabilityZone) {
      return { kind: 'unknown', reason: `no spot price series for ${facts.platform ?? 'Linux/UNIX'}` };
    }
    const query: SpotQuery = {
      region: facts.region,
      availabilityZone: facts.availabilityZone,
      instanceType: facts.instanceType,
      productDescription: p.spot,
    };
    return { kind: 'spot', key: spotKey(query), query, reason: 'spot instance: current spot price' };
  }
  if (facts.lifecycle && facts.lifecycle !== 'spot') {
    return { kind: 'unknown', reason: `${facts.lifecycle} instances are not priced On-Demand` };
  }
  const tenancy = TENANCY[facts.tenancy ?? 'default'];
  if (!tenancy) {
    return { kind: 'unknown', reason: `${facts.tenancy} tenancy is billed per host, not per instance` };
  }
  const query: OnDemandQuery = {
    instanceType: facts.instanceType,
    regionCode: facts.region,
    operatingSystem: p.operatingSystem,
    licenseModel: p.licenseModel,
    preInstalledSw: p.preInstalledSw,
    tenancy,
    capacitystatus: 'Used',
  };
  return { kind: 'on-demand', key: onDemandKey(query), query, reason: 'On-Demand price list' };
}
