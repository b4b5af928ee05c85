/**
 * Opens the single process's embedded SQLite file (created on first start, in
 * WAL mode so the CLI can read while `npm start` writes). Each SQLite adapter
 * creates its own tables with `CREATE TABLE IF NOT EXISTS` in its constructor.
 *
 * A file that cannot be used stops start-up with an error naming the path and
 * DB_PATH and what to do, instead of SQLite's bare "file is not a database".
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LightsOutError } from '../core/errors.js';

export type SqliteDatabase = Database.Database;

/** The database file cannot be opened, read or written, or it went away while in use. */
export class DatabaseFileError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('database_file', message, options);
  }
}

/** What to do about the SQLite (or file system) error `code`. */
function advice(code: string | undefined): string {
  switch (code) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return 'the file is not a SQLite database or is damaged; move it aside (or restore a backup) and start again';
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DIRECTORY':
    case 'EROFS':
    case 'EACCES':
      return 'Lights Out must be able to write it and its directory; fix the permissions or the mount';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file stands where its directory should be; point DB_PATH at a file in a directory';
    default:
      return 'DB_PATH must name a file (not a directory) in a directory Lights Out can write';
  }
}

/** `path` may be `:memory:` for tests. */
export function openDatabase(path: string): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    // The first statements read and write the file: an unusable one fails here, at start-up.
    db.pragma('journal_mode = WAL');
    // Two processes (npm start and the CLI) may write; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code;
    throw new DatabaseFileError(
      `cannot use the SQLite database at ${path} (DB_PATH): ${(err as Error).message}; ${advice(code)}`,
      { cause: err },
    );
  }
}
