/**
 * Opens the single process's embedded SQLite file (created on first start, in
 * WAL mode so the CLI can read while `npm start` writes). Each SQLite adapter
 * creates its own tables with `CREATE TABLE IF NOT EXISTS` in its constructor.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** `path` may be `:memory:` for tests. */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Two processes (npm start and the CLI) may write; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
