/** Where state lives: SQLite for the single process, DynamoDB on Lambda. */
import type { EnvReader } from './env.js';

export interface StoreConfig {
  /** SQLite file for the single process; created on first start. */
  sqlitePath: string;
  /** DynamoDB single table for Lambda mode. */
  tableName?: string;
}

export function readStoreConfig(r: EnvReader): StoreConfig {
  return {
    sqlitePath: r.string('DB_PATH', './data/lightsout.db'),
    tableName: r.string('TABLE_NAME'),
  };
}
