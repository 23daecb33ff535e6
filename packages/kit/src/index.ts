export * from './service.js';
export * from './clock.js';
export { startHost, type Host, type HostOptions } from './host.js';
export { type JobRunOutcome, type ScheduledJobStatus, type PracticeDirectory } from './scheduler.js';
export { type AsyncJobSettings } from './jobs.js';
export { callOperation, callOperationForReply, operationHeaders, busErrorToProblem, type CallOperationOptions } from './call.js';
export { compileSchema, assertValid, type CompiledSchema, type FieldError } from './validation.js';
export { encodeJson, decodeJson, encodePrincipal, decodePrincipal } from './codec.js';
export { encodeRawRequest, decodeRequest, encodeReply, decodeReply, isDeclaredMediaType, mediaTypeEssence } from './raw.js';
export { kitTables, kitMigrations, migrateKitTables, KIT_MIGRATIONS_FOLDER, KIT_MIGRATIONS_TABLE } from './tables.js';
export { agreementsTable, type Agreement, type AgreementView, type AgreementsDeclaration } from './agreements.js';
export { staffDirectoryTable, type StaffDirectory } from './staff-directory.js';
export { MSO_EMPLOYER, assignmentRefusal, employmentsServing, isActiveOn, isPersonId, type StaffEmployment, type StaffMember } from './staff.js';
export { auditTable, resourceIdsOf, AUDIT_RETENTION_YEARS } from './audit.js';
export { paginate, decodeCursor, encodeCursor } from './pagination.js';
export { hashApiKey, newApiKeySecret } from './api-key.js';
export { startRuntime, selectServices, exitOnSignals, runServiceProcess, type Runtime, type RuntimeOptions } from './runtime.js';
export {
  BusinessCalendar,
  addDays,
  isoWeekday,
  isValidTimeZone,
  localDate,
  localDateTime,
  zonedInstant,
  type BusinessCalendarSpec,
  type LocalDateTime,
  type WorkingHours,
} from './calendar.js';
export { eqIfSet, keysetPage, tenantWhere, type KeysetColumns, type KeysetPage } from './query.js';
export { PrebuiltSql, preparedQuery, qualifiedName } from './prepared.js';
export { stableId } from './ids.js';
export { loggableError } from './errors.js';
export { KIT_TABLES_OUTSIDE_WALL, logAcrossPractices, type AcrossPractices, type AcrossPracticesAudit, type AcrossPracticesUse } from './tenant-wall.js';
export { runInTransaction, isRetryableTransactionError, isUniqueViolation, isForeignKeyViolation, DEFAULT_RETRIES, type Isolation, type TransactionOptions, type RunInTransactionOptions, type SendableWrite } from './transaction.js';
export { canonicalJson, requestFingerprint, type IdempotencyOptions } from './idempotency.js';
export { eventEnvelope, type EnvelopeFields } from './envelope.js';
