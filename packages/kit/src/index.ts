export * from './service.js';
export * from './clock.js';
export { startHost, type Host, type HostOptions } from './host.js';
export { callOperation, operationHeaders, busErrorToProblem, type CallOperationOptions } from './call.js';
export { compileSchema, assertValid, type CompiledSchema, type FieldError } from './validation.js';
export { encodeJson, decodeJson, encodePrincipal, decodePrincipal } from './codec.js';
export { kitTables } from './tables.js';
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
export { preparedQuery } from './prepared.js';
export { stableId } from './ids.js';
export { loggableError } from './errors.js';
