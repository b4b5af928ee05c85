/**
 * Price lookups at fleet size (figures printed, nothing asserted here): N
 * instances (default 10,000) over 4 types × 3 regions × 2 operating systems,
 * each priced when first seen and re-checked at every nag (every 6 hours)
 * for 3 days, by two engines sharing one SQLite price cache (a second Lambda
 * container, or a restart). The Price List is the loopback GetProducts
 * server; the count of calls it received is compared with the bound: one
 * per (type, region, OS) key per day. Then the cold start: `--containers=N`
 * (default 8) engines, each with its own Pricing client and its own
 * connection to one SQLite file, price the whole fleet at the same moment;
 * the claim in the price cache keeps that to one call per key as well.
 * Options: `--instances=N`, `--days=N`, `--containers=N`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PricingClient } from '@aws-sdk/client-pricing';
import { PriceListOnDemandPrices } from '../src/aws/priceListPrices.js';
import type { InstancePrice } from '../src/core/price.js';
import type { PriceFacts } from '../src/core/priceLookup.js';
import { InstancePricer } from '../src/services/pricing/instancePricer.js';
import { openDatabase } from '../src/sqlite/database.js';
import { SqlitePriceCache } from '../src/sqlite/priceCache.js';
import { TablePriceSource } from '../test/support/fakePrices.js';
import { startFakePricingApi } from '../test/support/fakePricingApi.js';
import type { Bench } from './run.js';

const TYPES = ['m5.large', 'c5.xlarge', 't3.micro', 'p3.2xlarge'];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const PLATFORMS: [string, string][] = [
  ['Linux/UNIX', 'Linux'],
  ['Windows', 'Windows'],
];

export interface PricesBenchFigures {
  instances: number;
  days: number;
  keys: number;
  getProductsCalls: number;
  /** keys × days: the most GetProducts calls allowed. */
  bound: number;
  priced: number;
  priceChecks: number;
  wallMs: number;
}

const KEYS = REGIONS.length * TYPES.length * PLATFORMS.length;

function addProducts(api: Awaited<ReturnType<typeof startFakePricingApi>>): void {
  for (const region of REGIONS) {
    for (const [i, type] of TYPES.entries()) {
      for (const [, os] of PLATFORMS) {
        api.addEc2(type, region, (0.1 * (i + 1) * (os === 'Windows' ? 1.8 : 1)).toFixed(10), {
          operatingSystem: os,
        });
      }
    }
  }
}

function fleetOf(instances: number): PriceFacts[] {
  return Array.from({ length: instances }, (_, n) => ({
    region: REGIONS[n % REGIONS.length]!,
    instanceType: TYPES[Math.floor(n / REGIONS.length) % TYPES.length]!,
    availabilityZone: `${REGIONS[n % REGIONS.length]}a`,
    platform: PLATFORMS[Math.floor(n / (REGIONS.length * TYPES.length)) % PLATFORMS.length]![0],
    tenancy: 'default',
  }));
}

export async function pricesBench(instances: number, days: number): Promise<PricesBenchFigures> {
  const api = await startFakePricingApi();
  try {
    addProducts(api);
    const client = new PricingClient({
      region: 'us-east-1',
      endpoint: api.url,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const onDemand = new PriceListOnDemandPrices(() => client);
    const cache = new SqlitePriceCache(openDatabase(':memory:'));
    // Two engines on one store: what two Lambda containers (or a restart) share.
    const engines = [0, 1].map(() => new InstancePricer({ onDemand, spot: new TablePriceSource(), cache }));
    const fleet = fleetOf(instances);
    const prices: (InstancePrice | undefined)[] = new Array(instances);
    const start = Date.parse('2026-11-23T00:00:00Z');
    const started = performance.now();
    let checks = 0;
    for (let hour = 0; hour < days * 24; hour += 6) {
      const now = new Date(start + hour * 3_600_000);
      for (let n = 0; n < instances; n++) {
        prices[n] = await engines[n % 2]!.priceOf(prices[n], fleet[n]!, undefined, now);
        checks++;
      }
    }
    const keys = KEYS;
    return {
      instances,
      days,
      keys,
      getProductsCalls: api.requests.length,
      bound: keys * days,
      priced: prices.filter((p) => p !== undefined).length,
      priceChecks: checks,
      wallMs: performance.now() - started,
    };
  } finally {
    await api.close();
  }
}

export interface ColdStartFigures {
  containers: number;
  keys: number;
  getProductsCalls: number;
  priced: number;
  instances: number;
}

/** `containers` engines starting together on one store, each pricing the whole fleet at once. */
export async function coldStartBench(instances: number, containers: number): Promise<ColdStartFigures> {
  const api = await startFakePricingApi();
  const dir = mkdtempSync(join(tmpdir(), 'lightsout-bench-prices-'));
  try {
    addProducts(api);
    const fleet = fleetOf(instances);
    const now = new Date('2026-11-23T00:00:00Z');
    const engines = Array.from({ length: containers }, () => {
      const client = new PricingClient({
        region: 'us-east-1',
        endpoint: api.url,
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
      return new InstancePricer({
        onDemand: new PriceListOnDemandPrices(() => client),
        spot: new TablePriceSource(),
        cache: new SqlitePriceCache(openDatabase(join(dir, 'lightsout.db'))),
      });
    });
    const results = await Promise.all(
      engines.map((engine) => Promise.all(fleet.map((f) => engine.priceOf(undefined, f, undefined, now)))),
    );
    return {
      containers,
      keys: KEYS,
      getProductsCalls: api.requests.length,
      priced: results.flat().filter((p) => p !== undefined).length,
      instances: instances * containers,
    };
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export const pricesBenchModule: Bench = {
  name: 'prices',
  async run() {
    const f = await pricesBench(option('instances', 10_000), option('days', 3));
    console.log(
      `${f.instances} instances over ${f.keys} (type, region, OS) keys, priced at first sight and at every nag (6 h) for ${f.days} days by two engines sharing one cache`,
    );
    console.log(`  price checks:      ${f.priceChecks}`);
    console.log(`  priced:            ${f.priced} of ${f.instances}`);
    console.log(
      `  GetProducts calls: ${f.getProductsCalls} (bound: ${f.keys} keys × ${f.days} days = ${f.bound})`,
    );
    console.log(`  wall time:         ${(f.wallMs / 1000).toFixed(2)} s`);
    const c = await coldStartBench(option('instances', 10_000), option('containers', 8));
    console.log(
      `cold start: ${c.containers} containers on one store price all ${c.instances / c.containers} instances at the same moment`,
    );
    console.log(`  priced:            ${c.priced} of ${c.instances}`);
    console.log(`  GetProducts calls: ${c.getProductsCalls} (bound: one per key, ${c.keys})`);
  },
};
