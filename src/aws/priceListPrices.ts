/**
 * On-Demand prices from the AWS Price List API: one GetProducts call with a
 * TERM_MATCH filter per product attribute (instance type, region code,
 * operating system, licence model, pre-installed software, tenancy, capacity
 * status), so the answer is the one product priced. Each PriceList entry is a
 * price-list JSON document (a string); the hourly price sits at
 * `terms.OnDemand.<offer>.priceDimensions.<rate>.pricePerUnit.USD`.
 *
 * The SDK package loads at the first call (see clients.ts): only functions
 * that price instances ever need it. Callers cache answers a day (PriceCache).
 */
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { OnDemandQuery } from '../core/priceLookup.js';
import type { OnDemandPriceSource } from '../ports/priceSource.js';
import { loadPricingSdk } from './clients.js';
import { awsCall } from './errors.js';

/** Enough for the handful of products one complete set of attributes can match. */
const MAX_RESULTS = 10;

interface PriceListDocument {
  product?: { attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }
    >;
  };
}

export class PriceListOnDemandPrices implements OnDemandPriceSource {
  /** GetProducts calls made, read by the benchmark and by tests that check the cache. */
  readonly stats = { getProductsCalls: 0 };

  constructor(private readonly client: () => PricingClient | Promise<PricingClient>) {}

  async onDemandHourlyUsd(query: OnDemandQuery): Promise<number | undefined> {
    const [{ GetProductsCommand }, client] = await Promise.all([loadPricingSdk(), this.client()]);
    const filters = Object.entries(query).map(([Field, Value]) => ({
      Type: 'TERM_MATCH' as const,
      Field,
      Value: String(Value),
    }));
    this.stats.getProductsCalls++;
    const res = await awsCall(`GetProducts AmazonEC2 ${query.instanceType} in ${query.regionCode}`, () =>
      client.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          Filters: filters,
          FormatVersion: 'aws_v1',
          MaxResults: MAX_RESULTS,
        }),
      ),
    );
    const documents = Array.isArray(res.PriceList) ? res.PriceList : [];
    return lowestHourlyUsd(documents.map((d: unknown) => String(d)));
  }
}

/**
 * The hourly On-Demand price in a page of price-list documents. Several
 * products can share the attributes (a second usage type of the same
 * instance); the lowest positive hourly rate is the one a plain launch pays.
 * A $0 rate (Dedicated Host instances, which the host pays for) counts as no price.
 */
export function lowestHourlyUsd(documents: string[]): number | undefined {
  let lowest: number | undefined;
  for (const raw of documents) {
    let doc: PriceListDocument;
    try {
      doc = JSON.parse(raw) as PriceListDocument;
    } catch {
      continue;
    }
    for (const term of Object.values(doc.terms?.OnDemand ?? {})) {
      for (const dim of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(dim.pricePerUnit?.USD);
        if (!/^hrs?$/i.test(dim.unit ?? 'Hrs') || !Number.isFinite(usd) || usd <= 0) continue;
        if (lowest === undefined || usd < lowest) lowest = usd;
      }
    }
  }
  return lowest;
}
