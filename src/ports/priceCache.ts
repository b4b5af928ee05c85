/**
 * Looked-up prices kept in the store for a while (a day for On-Demand), so a
 * fleet of any size costs at most one Pricing call per (type, region, OS and
 * licence, tenancy) per day, across sweeps, nags, restarts and Lambda
 * containers, even those that start at the same moment (`claim`). Implementations: SQLite table, DynamoDB item in the single
 * table; one contract suite (test/ports/priceCache.contract.test.ts).
 */
export interface CachedPrice {
  /** From `core/priceLookup.ts`: `on-demand|<region>|<type>|<os>|<licence>|<software>|<tenancy>` or `spot|…`. */
  key: string;
  /**
   * US dollars per hour; absent when the source has no price for the key. An
   * answer of "no such product" is kept too, so it is not asked again at every run start.
   */
  hourlyUsd?: number;
  /** When the source was asked (ISO). */
  fetchedAt: string;
  /** When the entry stops counting (ISO); reads at or after it find nothing. */
  expiresAt: string;
}

export interface PriceCache {
  /** The entry under `key`, unless it has expired at `now`. */
  get(key: string, now: Date): Promise<CachedPrice | undefined>;
  /** Stores (or replaces) the entry under its key, and ends any claim on it. */
  put(entry: CachedPrice): Promise<void>;
  /**
   * Takes the right to ask the source for `key` until `until`, with a
   * conditional write: true for exactly one of any number of callers while
   * the key has neither a live entry nor a live claim at `now`. A caller that
   * gets false waits for the entry the claimant writes instead of asking too,
   * so cold Lambda containers starting together make one Pricing call per key.
   * A claimant that dies holds the key only until `until`.
   */
  claim(key: string, now: Date, until: Date): Promise<boolean>;
}
