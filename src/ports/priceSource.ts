/**
 * Where prices come from. Adapters: the AWS Price List API (GetProducts,
 * On-Demand) and EC2's DescribeSpotPriceHistory (spot). Both answer
 * `undefined` when the source has no price for the query, and throw
 * (a LightsOutError with the SDK error as `cause`) when it could not be asked.
 */
import type { OnDemandQuery, SpotQuery } from '../core/priceLookup.js';

export interface OnDemandPriceSource {
  /** The On-Demand price in US dollars per hour of the one product matching every attribute. */
  onDemandHourlyUsd(query: OnDemandQuery): Promise<number | undefined>;
}

export interface SpotPriceSource {
  /** The latest spot price in US dollars per hour of the series. */
  spotHourlyUsd(query: SpotQuery, now: Date): Promise<number | undefined>;
}
