/**
 * The pricer every runtime that writes records uses: On-Demand prices from
 * the Price List API (us-east-1), spot prices from EC2 in the instance's
 * region, both through the store's price cache (SQLite in the single process
 * and the CLI, the DynamoDB table on Lambda).
 */
import { loadEc2Client, loadPricingClient } from '../aws/clients.js';
import { Ec2SpotPrices } from '../aws/ec2SpotPrices.js';
import { PriceListOnDemandPrices } from '../aws/priceListPrices.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { PriceCache } from '../ports/priceCache.js';
import { InstancePricer } from '../services/pricing/instancePricer.js';

/**
 * `lookups: false` (PRICING=off) prices runs from their HourlyCost tag only;
 * `clock` dates the reads made while another process looks a price up.
 */
export function awsPricer(
  cache: PriceCache,
  log: Log,
  opts: { lookups?: boolean; clock?: Clock } = {},
): InstancePricer {
  return new InstancePricer({
    onDemand: new PriceListOnDemandPrices(loadPricingClient),
    spot: new Ec2SpotPrices(loadEc2Client),
    cache,
    log,
    ...(opts.clock ? { clock: opts.clock } : {}),
    lookups: opts.lookups ?? true,
  });
}
