/**
 * What an instance costs: its hourly price, where that price came from, and
 * the cost of the current run so far, in one format everywhere
 * ("$4.10/h · $53 so far"). Pure: lookups happen in the pricing service.
 *
 * An unknown price is absent, never 0: a missing price must read "price
 * unknown", not "$0 so far", or a costly instance looks free.
 */
import { DAY, HOUR } from './duration.js';
import { quoted } from './quote.js';

export type PriceSource = 'tag' | 'on-demand' | 'spot';

/** An instance's hourly price, as kept on its record. */
export interface InstancePrice {
  hourlyUsd: number;
  source: PriceSource;
  /** When this price was read (ISO); the pricing service refreshes it after its source's TTL. */
  at: string;
}

/** The default key of the tag that overrides every looked-up price (Savings Plans, RI rates). */
export const DEFAULT_HOURLY_COST_TAG = 'HourlyCost';

/** How long a looked-up price holds: On-Demand prices change rarely, spot prices hourly. */
export const PRICE_TTL_SECONDS: Record<Exclude<PriceSource, 'tag'>, number> = {
  'on-demand': DAY,
  spot: HOUR,
};

// A typo such as "41" for "4.1" cannot be caught, but "4,10" or "4.10 EUR" can.
const HOURLY_COST_RE = /^\$?\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(?:h|hr|hour))?$/i;
const MAX_HOURLY_USD = 10_000;

export type HourlyCostTag = { ok: true; hourlyUsd: number } | { ok: false; warning: string };

/** Reads an HourlyCost tag value: `4.10`, `$4.10` or `4.10/h`, in US dollars per hour. */
export function readHourlyCostTag(key: string, raw: string): HourlyCostTag {
  const m = HOURLY_COST_RE.exec(raw.trim());
  const usd = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(usd)) {
    return {
      ok: false,
      warning: `${key} ${quoted(raw)} is not an hourly price in US dollars such as 4.10; using the looked-up price`,
    };
  }
  if (usd > MAX_HOURLY_USD) {
    return {
      ok: false,
      warning: `${key} ${quoted(raw)} is more than $${MAX_HOURLY_USD}/h; using the looked-up price`,
    };
  }
  return { ok: true, hourlyUsd: usd };
}

/** Dollars the run has cost at `runtimeSeconds`. */
export function costSoFarUsd(price: Pick<InstancePrice, 'hourlyUsd'>, runtimeSeconds: number): number {
  return (price.hourlyUsd * Math.max(0, runtimeSeconds)) / HOUR;
}

/** `$4.10/h`, `$0.0104/h`: cheap types keep the digits that tell them apart. */
export function formatHourly(usd: number): string {
  if (usd >= 1) return `$${usd.toFixed(2)}/h`;
  // Four decimals, less at most two trailing zeros: 0.0104, 0.096, 0.50.
  return `$${usd.toFixed(4).replace(/0{1,2}$/, '')}/h`;
}

/** `$1,234`, `$53`, `$4.10`, `< $0.01`: whole dollars from $10 on. */
export function formatUsd(usd: number): string {
  if (usd >= 10) return `$${Math.round(usd).toLocaleString('en-US')}`;
  if (usd >= 0.01 || usd === 0) return `$${usd.toFixed(2)}`;
  return '< $0.01';
}

const SOURCE_NOTE: Record<PriceSource, string> = { 'on-demand': '', spot: ' spot', tag: ' (tag)' };

/** The cost line of every message and list: "$4.10/h · $53 so far", or "price unknown". */
export function formatCost(price: InstancePrice | undefined, runtimeSeconds: number): string {
  if (!price) return 'price unknown';
  return `${formatHourly(price.hourlyUsd)}${SOURCE_NOTE[price.source]} · ${formatUsd(costSoFarUsd(price, runtimeSeconds))} so far`;
}

/** Figures for machine-readable output (`lightsout list --json`); absent when the price is unknown. */
export function costFigures(
  price: InstancePrice | undefined,
  runtimeSeconds: number,
): { hourlyUsd: number; costSoFarUsd: number; priceSource: PriceSource } | undefined {
  if (!price) return undefined;
  return {
    hourlyUsd: price.hourlyUsd,
    costSoFarUsd: Math.round(costSoFarUsd(price, runtimeSeconds) * 100) / 100,
    priceSource: price.source,
  };
}

/** Two prices a record would show the same way: writing one over the other changes nothing. */
export function samePrice(a: InstancePrice | undefined, b: InstancePrice | undefined): boolean {
  if (!a || !b) return a === b;
  return a.hourlyUsd === b.hourlyUsd && a.source === b.source && a.at === b.at;
}
