/** Where state lives: SQLite for the single process, DynamoDB on Lambda. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { EnvReader } from './env.js';

export interface StoreConfig {
  /** SQLite file for the single process; created on first start. */
  sqlitePath: string;
  /** DynamoDB single table for Lambda mode. */
  tableName?: string;
}

export function readStoreConfig(r: EnvReader): StoreConfig {
  return {
    sqlitePath: r.string('DB_PATH') ?? defaultSqlitePath(r),
    tableName: r.string('TABLE_NAME'),
  };
}

/**
 * The per-user state directory of the XDG Base Directory spec, so `npm start`,
 * `lightsout start` and `lightsout list` find the same file whatever folder
 * they run from. The spec says a relative XDG_STATE_HOME is invalid and must be
 * ignored.
 */
function defaultSqlitePath(r: EnvReader): string {
  const xdg = r.string('XDG_STATE_HOME');
  const stateHome =
    xdg !== undefined && isAbsolute(xdg) ? xdg : join(r.string('HOME') ?? homedir(), '.local', 'state');
  return join(stateHome, 'lightsout', 'lightsout.db');
}
