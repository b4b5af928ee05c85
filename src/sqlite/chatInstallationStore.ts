/** Chat installations in the single process's SQLite file; same semantics as the DynamoDB store. */
import type { ChatPlatform } from '../core/instance.js';
import type { ChatInstallation, ChatInstallationStore } from '../ports/chatInstallationStore.js';
import type { SqliteDatabase } from './database.js';

export class SqliteChatInstallationStore implements ChatInstallationStore {
  constructor(private readonly db: SqliteDatabase) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS chat_installations (
        platform TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (platform, id)
      );
    `);
  }

  async save(installation: ChatInstallation): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO chat_installations (platform, id, body) VALUES (?, ?, ?)
         ON CONFLICT (platform, id) DO UPDATE SET body = excluded.body`,
      )
      .run(installation.platform, installation.id, JSON.stringify(installation));
  }

  async remove(platform: ChatPlatform, id: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM chat_installations WHERE platform = ? AND id = ?').run(platform, id)
        .changes > 0
    );
  }

  async get(platform: ChatPlatform, id: string): Promise<ChatInstallation | undefined> {
    const row = this.db
      .prepare('SELECT body FROM chat_installations WHERE platform = ? AND id = ?')
      .get(platform, id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ChatInstallation) : undefined;
  }

  async all(platform: ChatPlatform): Promise<ChatInstallation[]> {
    const rows = this.db
      .prepare('SELECT body FROM chat_installations WHERE platform = ? ORDER BY id')
      .all(platform) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as ChatInstallation);
  }
}
