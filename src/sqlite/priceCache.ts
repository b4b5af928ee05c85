/** Looked-up prices for the single process, in its SQLite file; same rules as the DynamoDB adapter. */
import type { CachedPrice, PriceCache } from '../ports/priceCache.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  key: string;
  hourly_usd: number | null;
  fetched_at: string;
  expires_at: string;
}

export class SqlitePriceCache implements PriceCache {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS price_cache (
        key TEXT PRIMARY KEY,
        -- NULL: the source has no price for this key
        hourly_usd REAL,
        fetched_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      -- Who is asking the source for a key, until when (see PriceCache.claim).
      CREATE TABLE IF NOT EXISTS price_claim (
        key TEXT PRIMARY KEY,
        until TEXT NOT NULL
      );
    `);
  }

  async get(key: string, now: Date): Promise<CachedPrice | undefined> {
    const row = this.db
      .prepare<[string], Row>('SELECT key, hourly_usd, fetched_at, expires_at FROM price_cache WHERE key = ?')
      .get(key);
    if (!row || row.expires_at <= now.toISOString()) return undefined;
    return {
      key: row.key,
      ...(row.hourly_usd === null ? {} : { hourlyUsd: row.hourly_usd }),
      fetchedAt: row.fetched_at,
      expiresAt: row.expires_at,
    };
  }

  async put(entry: CachedPrice): Promise<void> {
    this.db.transaction(() => {
      // Housekeeping rides on writes: entries a day past expiry are of no use to anyone.
      const dayBefore = new Date(Date.parse(entry.fetchedAt) - 86_400_000).toISOString();
      this.db.prepare('DELETE FROM price_cache WHERE expires_at < ?').run(dayBefore);
      this.db.prepare('DELETE FROM price_claim WHERE key = ? OR until < ?').run(entry.key, dayBefore);
      this.db
        .prepare(
          `INSERT INTO price_cache (key, hourly_usd, fetched_at, expires_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET hourly_usd = excluded.hourly_usd,
             fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
        )
        .run(entry.key, entry.hourlyUsd ?? null, entry.fetchedAt, entry.expiresAt);
    })();
  }

  async claim(key: string, now: Date, until: Date): Promise<boolean> {
    // IMMEDIATE takes the write lock before the read, so two processes on one file cannot both see no claim.
    return this.db
      .transaction(() => {
        const at = now.toISOString();
        const live = this.db
          .prepare<[string, string], { key: string }>(
            'SELECT key FROM price_cache WHERE key = ? AND expires_at > ?',
          )
          .get(key, at);
        if (live) return false;
        const res = this.db
          .prepare(
            `INSERT INTO price_claim (key, until) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE price_claim.until <= ?`,
          )
          .run(key, until.toISOString(), at);
        return res.changes === 1;
      })
      .immediate();
  }
}
