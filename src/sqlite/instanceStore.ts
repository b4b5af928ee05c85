/**
 * Instance records in the single process's SQLite file. Same semantics as the
 * DynamoDB store (one contract suite covers both): optimistic concurrency on
 * `version`, tombstones hidden and purged once past `expiresAt`, and chat refs
 * kept apart from the record so `put` can never overwrite a ref the chat layer
 * added meanwhile.
 */
import { ConflictError, NotFoundError, StaleRunError } from '../core/errors.js';
import type { ChatMessageRef, InstanceKey, InstanceRecord } from '../core/instance.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { InstanceFilter, InstanceStore, PutOptions } from '../ports/instanceStore.js';
import type { SqliteDatabase } from './database.js';
import { ensureOutboxTable, insertOutboxEntries } from './outbox.js';

interface Row {
  record: string;
  version: number;
  expires_at: number | null;
  chat_refs: string;
  chat_refs_launch_time: string | null;
}

export class SqliteInstanceStore implements InstanceStore {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqliteDatabase,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    db.exec(`
      CREATE TABLE IF NOT EXISTS instances (
        region TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        launch_time TEXT NOT NULL,
        state TEXT NOT NULL,
        grp TEXT NOT NULL,
        version INTEGER NOT NULL,
        -- epoch ms; set on terminated tombstones only
        expires_at INTEGER,
        record TEXT NOT NULL,
        -- chat refs belong to one run; refs of an older run read as none
        chat_refs TEXT NOT NULL DEFAULT '[]',
        chat_refs_launch_time TEXT,
        PRIMARY KEY (region, instance_id)
      );
      CREATE INDEX IF NOT EXISTS instances_group ON instances (grp);
    `);
    ensureOutboxTable(db);
  }

  async get(key: InstanceKey): Promise<InstanceRecord | undefined> {
    const row = this.db
      .prepare<[string, string], Row>(
        'SELECT record, version, expires_at, chat_refs, chat_refs_launch_time FROM instances WHERE region = ? AND instance_id = ?',
      )
      .get(key.region, key.instanceId);
    return row && !this.expired(row) ? toRecord(row) : undefined;
  }

  async put(record: InstanceRecord, opts: PutOptions = {}): Promise<InstanceRecord> {
    const write = this.db.transaction((): InstanceRecord => {
      const current = this.db
        .prepare<[string, string], Row>(
          'SELECT record, version, expires_at, chat_refs, chat_refs_launch_time FROM instances WHERE region = ? AND instance_id = ?',
        )
        .get(record.region, record.instanceId);
      // An expired tombstone counts as absent, as it would once DynamoDB's TTL removed it.
      const live = current && !this.expired(current) ? current : undefined;
      const storedVersion = live?.version ?? 0;
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== storedVersion) {
        throw new ConflictError(
          `Instance ${record.region}/${record.instanceId} is at version ${storedVersion}, not ${opts.expectedVersion}; re-read and retry`,
        );
      }
      const version = storedVersion + 1;
      const { chatRefs: _ignored, version: _v, ...rest } = record;
      const keepRefs = live?.chat_refs_launch_time === record.launchTime;
      this.db
        .prepare(
          `INSERT INTO instances (region, instance_id, launch_time, state, grp, version, expires_at, record, chat_refs, chat_refs_launch_time)
           VALUES (@region, @instanceId, @launchTime, @state, @group, @version, @expiresAt, @record, @chatRefs, @chatRefsLaunchTime)
           ON CONFLICT (region, instance_id) DO UPDATE SET
             launch_time = excluded.launch_time, state = excluded.state, grp = excluded.grp,
             version = excluded.version, expires_at = excluded.expires_at, record = excluded.record,
             chat_refs = excluded.chat_refs, chat_refs_launch_time = excluded.chat_refs_launch_time`,
        )
        .run({
          region: record.region,
          instanceId: record.instanceId,
          launchTime: record.launchTime,
          state: record.state,
          group: record.group,
          version,
          expiresAt: record.expiresAt ? Date.parse(record.expiresAt) : null,
          record: JSON.stringify(rest),
          chatRefs: keepRefs ? live.chat_refs : '[]',
          chatRefsLaunchTime: keepRefs ? live.chat_refs_launch_time : null,
        });
      // Same transaction: the event is committed with the change that caused it.
      if (opts.events?.length) insertOutboxEntries(this.db, opts.events, this.clock());
      return { ...record, chatRefs: keepRefs ? JSON.parse(live.chat_refs) : [], version };
    });
    return write.immediate();
  }

  async delete(key: InstanceKey): Promise<void> {
    this.db
      .prepare('DELETE FROM instances WHERE region = ? AND instance_id = ?')
      .run(key.region, key.instanceId);
  }

  async list(filter: InstanceFilter = {}): Promise<InstanceRecord[]> {
    this.purgeExpired();
    const where: string[] = [];
    const params: string[] = [];
    if (filter.region) {
      where.push('region = ?');
      params.push(filter.region);
    }
    if (filter.group) {
      where.push('grp = ?');
      params.push(filter.group);
    }
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      params.push(...filter.states);
    }
    const sql = `SELECT record, version, expires_at, chat_refs, chat_refs_launch_time FROM instances
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY region, instance_id`;
    return this.db
      .prepare<string[], Row>(sql)
      .all(...params)
      .map(toRecord);
  }

  async addChatRef(key: InstanceKey, launchTime: string, ref: ChatMessageRef): Promise<void> {
    const add = this.db.transaction(() => {
      const row = this.db
        .prepare<[string, string], Row & { launch_time: string }>(
          'SELECT launch_time, record, version, expires_at, chat_refs, chat_refs_launch_time FROM instances WHERE region = ? AND instance_id = ?',
        )
        .get(key.region, key.instanceId);
      if (!row || this.expired(row)) {
        throw new NotFoundError(`No record of instance ${key.region}/${key.instanceId}; chat ref not kept`);
      }
      if (row.launch_time !== launchTime) {
        throw new StaleRunError(
          `Instance ${key.instanceId} is on run ${row.launch_time}, not ${launchTime}; chat ref not kept`,
        );
      }
      const refs =
        row.chat_refs_launch_time === launchTime ? (JSON.parse(row.chat_refs) as ChatMessageRef[]) : [];
      this.db
        .prepare(
          'UPDATE instances SET chat_refs = ?, chat_refs_launch_time = ? WHERE region = ? AND instance_id = ?',
        )
        .run(JSON.stringify(withChatRef(refs, ref)), launchTime, key.region, key.instanceId);
    });
    add.immediate();
  }

  /** Forgets tombstones whose time has passed (DynamoDB's TTL does this on its own). */
  purgeExpired(): number {
    return this.db
      .prepare('DELETE FROM instances WHERE expires_at IS NOT NULL AND expires_at <= ?')
      .run(this.clock().getTime()).changes;
  }

  private expired(row: Pick<Row, 'expires_at'>): boolean {
    return row.expires_at !== null && row.expires_at <= this.clock().getTime();
  }
}

/** Appends `ref`, replacing one for the same platform and channel. */
export function withChatRef(refs: ChatMessageRef[], ref: ChatMessageRef): ChatMessageRef[] {
  return [...refs.filter((r) => !(r.platform === ref.platform && r.channelId === ref.channelId)), ref];
}

function toRecord(row: Row): InstanceRecord {
  const record = JSON.parse(row.record) as Omit<InstanceRecord, 'chatRefs' | 'version'>;
  const chatRefs =
    row.chat_refs_launch_time === record.launchTime ? (JSON.parse(row.chat_refs) as ChatMessageRef[]) : [];
  return { ...record, chatRefs, version: row.version };
}
