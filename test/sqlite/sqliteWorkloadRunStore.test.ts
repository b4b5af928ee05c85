import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteWorkloadRunStore } from '../../src/sqlite/sqliteWorkloadRunStore.js';
import { workloadRunStoreContract } from '../ports/workloadRunStore.contract.js';

workloadRunStoreContract('SQLite', async () => new SqliteWorkloadRunStore(openDatabase(':memory:')));
