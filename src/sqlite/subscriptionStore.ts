/** Which chat channels follow which MonitorGroup, in the single process's SQLite file. */
import { mergeRouting, type NagRouting, routingOf } from '../core/nagRouting.js';
import type {
  BrokenChannel,
  ChannelRef,
  Subscription,
  SubscriptionStore,
} from '../ports/subscriptionStore.js';
import type { SqliteDatabase } from './database.js';

interface Row {
  grp: string;
  channel: string;
  created_by: string;
  created_at: string;
  broken: string | null;
  routing: string | null;
}

const COLUMNS = 'grp, channel, created_by, created_at, broken, routing';

export class SqliteSubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS subscriptions (
        grp TEXT NOT NULL,
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (grp, platform, channel_id)
      );
      CREATE INDEX IF NOT EXISTS subscriptions_channel ON subscriptions (platform, channel_id);
    `);
    // Files created before channels could be flagged broken get the column on first open.
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(subscriptions)').all();
    if (!columns.some((c) => c.name === 'broken'))
      db.exec('ALTER TABLE subscriptions ADD COLUMN broken TEXT');
    // …and the routing column (route, escalation, broadcast) likewise; NULL reads as `channel`.
    if (!columns.some((c) => c.name === 'routing'))
      db.exec('ALTER TABLE subscriptions ADD COLUMN routing TEXT');
  }

  async configure(
    group: string,
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    routing: NagRouting,
  ): Promise<boolean> {
    return this.db.transaction(() => this.mergeRouting(group, channel, routing))();
  }

  /** Merges `routing` into the stored one (see SubscriptionStore.configure); false when there is no such subscription. */
  private mergeRouting(
    group: string,
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    routing: NagRouting,
  ): boolean {
    {
      const row = this.db
        .prepare<[string, string, string], { routing: string | null }>(
          'SELECT routing FROM subscriptions WHERE grp = ? AND platform = ? AND channel_id = ?',
        )
        .get(group, channel.platform, channel.channelId);
      if (!row) return false;
      this.writeRouting(group, channel, mergeRouting(parseRouting(row.routing), routing));
      return true;
    }
  }

  private writeRouting(
    group: string,
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    routing: NagRouting,
  ): void {
    const json = Object.keys(routing).length ? JSON.stringify(routing) : null;
    this.db
      .prepare('UPDATE subscriptions SET routing = ? WHERE grp = ? AND platform = ? AND channel_id = ?')
      .run(json, group, channel.platform, channel.channelId);
  }

  async markBroken(
    channel: Pick<ChannelRef, 'platform' | 'channelId'>,
    broken: BrokenChannel | undefined,
  ): Promise<void> {
    this.db
      .prepare('UPDATE subscriptions SET broken = ? WHERE platform = ? AND channel_id = ?')
      .run(broken ? JSON.stringify(broken) : null, channel.platform, channel.channelId);
  }

  async subscribe(sub: Subscription): Promise<void> {
    // A repeat keeps who subscribed first but refreshes the channel details
    // (Teams service URLs and conversation references can change); subscribing
    // again after fixing a channel clears its broken flag.
    const insert = () =>
      this.db
        .prepare(
          `INSERT INTO subscriptions (grp, platform, channel_id, channel, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (grp, platform, channel_id) DO UPDATE SET channel = excluded.channel, broken = NULL`,
        )
        .run(
          sub.group,
          sub.channel.platform,
          sub.channel.channelId,
          JSON.stringify(sub.channel),
          sub.createdBy,
          sub.createdAt,
        );
    this.db.transaction(() => {
      insert();
      const given = routingOf(sub);
      if (Object.keys(given).length) this.mergeRouting(sub.group, sub.channel, given);
    })();
  }

  async unsubscribe(group: string, channel: Pick<ChannelRef, 'platform' | 'channelId'>): Promise<boolean> {
    const res = this.db
      .prepare('DELETE FROM subscriptions WHERE grp = ? AND platform = ? AND channel_id = ?')
      .run(group, channel.platform, channel.channelId);
    return res.changes > 0;
  }

  async forGroup(group: string): Promise<Subscription[]> {
    return this.db
      .prepare<[string], Row>(
        `SELECT ${COLUMNS} FROM subscriptions WHERE grp = ? ORDER BY platform, channel_id`,
      )
      .all(group)
      .map(toSubscription);
  }

  async forChannel(channel: Pick<ChannelRef, 'platform' | 'channelId'>): Promise<Subscription[]> {
    return this.db
      .prepare<[string, string], Row>(
        `SELECT ${COLUMNS} FROM subscriptions WHERE platform = ? AND channel_id = ? ORDER BY grp`,
      )
      .all(channel.platform, channel.channelId)
      .map(toSubscription);
  }

  async all(): Promise<Subscription[]> {
    return this.db
      .prepare<[], Row>(`SELECT ${COLUMNS} FROM subscriptions ORDER BY grp, platform, channel_id`)
      .all()
      .map(toSubscription);
  }
}

function toSubscription(row: Row): Subscription {
  return {
    group: row.grp,
    channel: JSON.parse(row.channel) as ChannelRef,
    createdBy: row.created_by,
    createdAt: row.created_at,
    ...(row.broken ? { broken: JSON.parse(row.broken) as BrokenChannel } : {}),
    ...parseRouting(row.routing),
  };
}

const parseRouting = (json: string | null): NagRouting => (json ? (JSON.parse(json) as NagRouting) : {});
