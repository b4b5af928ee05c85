/** Each channel's weekly digest settings in the single process's SQLite file. */
import type { DigestCadence } from '../core/digestSchedule.js';
import type {
  ChannelDigestSettings,
  ChannelKey,
  DigestSettingsStore,
  WeekClaim,
} from '../ports/digestSettings.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  platform: string;
  channel_id: string;
  cadence: string | null;
  time_zone: string | null;
  updated_by: string | null;
  updated_at: string | null;
  last_sent_week: string | null;
  claimed_week: string | null;
  claim_until: string | null;
}

export class SqliteDigestSettingsStore implements DigestSettingsStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS digest_settings (
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        cadence TEXT,
        time_zone TEXT,
        updated_by TEXT,
        updated_at TEXT,
        last_sent_week TEXT,
        claimed_week TEXT,
        claim_until TEXT,
        PRIMARY KEY (platform, channel_id)
      );
    `);
    // Files from before claims had a lease: last_sent_week was the claim itself.
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(digest_settings)').all();
    if (!columns.some((c) => c.name === 'claimed_week')) {
      db.exec('ALTER TABLE digest_settings ADD COLUMN claimed_week TEXT');
      db.exec('ALTER TABLE digest_settings ADD COLUMN claim_until TEXT');
    }
  }

  async get(channel: ChannelKey): Promise<ChannelDigestSettings | undefined> {
    const row = this.db
      .prepare<[string, string], Row>('SELECT * FROM digest_settings WHERE platform = ? AND channel_id = ?')
      .get(channel.platform, channel.channelId);
    return row ? toSettings(row) : undefined;
  }

  async set(s: Parameters<DigestSettingsStore['set']>[0]): Promise<ChannelDigestSettings> {
    this.db
      .prepare(
        `INSERT INTO digest_settings (platform, channel_id, cadence, time_zone, updated_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, channel_id) DO UPDATE SET cadence = excluded.cadence,
           time_zone = COALESCE(excluded.time_zone, digest_settings.time_zone),
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(s.channel.platform, s.channel.channelId, s.cadence, s.timeZone ?? null, s.updatedBy, s.updatedAt);
    return (await this.get(s.channel))!;
  }

  async claimWeek(
    channel: ChannelKey,
    week: string,
    lease: { now: string; until: string },
  ): Promise<boolean> {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO digest_settings (platform, channel_id) VALUES (?, ?)')
        .run(channel.platform, channel.channelId);
      // ISO-8601 UTC strings of one format compare as times.
      const res = this.db
        .prepare(
          `UPDATE digest_settings SET claimed_week = ?, claim_until = ?
           WHERE platform = ? AND channel_id = ? AND (last_sent_week IS NULL OR last_sent_week <> ?)
             AND (claimed_week IS NULL OR claimed_week <> ? OR claim_until <= ?)`,
        )
        .run(week, lease.until, channel.platform, channel.channelId, week, week, lease.now);
      return res.changes === 1;
    })();
  }

  async markSent(channel: ChannelKey, claim: WeekClaim): Promise<boolean> {
    return this.db.transaction(() => {
      const ours = this.db
        .prepare(
          `UPDATE digest_settings SET last_sent_week = ?, claimed_week = NULL, claim_until = NULL
           WHERE platform = ? AND channel_id = ? AND claimed_week = ? AND claim_until = ?`,
        )
        .run(claim.week, channel.platform, channel.channelId, claim.week, claim.until);
      if (ours.changes === 1) return true;
      // Another sender's claim replaced ours: the week was posted all the same, so record it, and
      // leave that claim to its sender. Weeks are ISO dates, which compare as times.
      this.db
        .prepare(
          `UPDATE digest_settings SET last_sent_week = ?
           WHERE platform = ? AND channel_id = ? AND (last_sent_week IS NULL OR last_sent_week < ?)`,
        )
        .run(claim.week, channel.platform, channel.channelId, claim.week);
      return false;
    })();
  }

  async releaseWeek(channel: ChannelKey, claim: WeekClaim): Promise<void> {
    // Only our own claim: one that replaced it after our lease ran out belongs to a sender now posting.
    this.db
      .prepare(
        `UPDATE digest_settings SET claimed_week = NULL, claim_until = NULL
         WHERE platform = ? AND channel_id = ? AND claimed_week = ? AND claim_until = ?`,
      )
      .run(channel.platform, channel.channelId, claim.week, claim.until);
  }
}

function toSettings(row: Row): ChannelDigestSettings {
  return {
    channel: { platform: row.platform as ChannelKey['platform'], channelId: row.channel_id },
    ...(row.cadence ? { cadence: row.cadence as DigestCadence } : {}),
    ...(row.time_zone ? { timeZone: row.time_zone } : {}),
    ...(row.updated_by ? { updatedBy: row.updated_by } : {}),
    ...(row.updated_at ? { updatedAt: row.updated_at } : {}),
    ...(row.last_sent_week ? { lastSentWeek: row.last_sent_week } : {}),
    ...(row.claimed_week && row.claim_until
      ? { claim: { week: row.claimed_week, until: row.claim_until } }
      : {}),
  };
}
