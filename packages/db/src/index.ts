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
  readJournal,
  MigrationChangedError,
  MIGRATIONS_TABLE,
  type MigrationFile,
  type MigrateServiceOptions,
  type MigrateServiceResult,
} from './migrate.js';
export { summarizeQuery, type QueryInfo } from './tracing.js';
export {
  applyTenant,
  tenantSql,
  tablesMissingTenantWall,
  tenantCondition,
  tenantWallSql,
  ALL_PRACTICES,
  SERVICE_ROLE,
  TENANT_POLICY,
  type PracticeColumnType,
  type TenantScope,
} from './tenant-wall.js';
