export {
  openDatabase,
  DEFAULT_DATA_DIR,
  DEFAULT_MAX_CONNECTIONS,
  type Database,
  type DatabaseKind,
  type Db,
  type OpenDatabaseOptions,
  type Tx,
} from './database.js';
export {
  ensureSchema,
  migrateService,
  MIGRATIONS_TABLE,
  type MigrateServiceOptions,
  type MigrateServiceResult,
} from './migrate.js';
export { summarizeQuery, type QueryInfo } from './tracing.js';
