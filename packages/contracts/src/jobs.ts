import Type, { type Static } from 'typebox';
import { everyone, operation, Page, PageQuery, Problem, StringEnum, Timestamp, Uuid, type BusinessService } from './core.js';

export const jobStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;

/**
 * A call of an `async` operation: the gateway answers `202 Accepted` with this resource and
 * `Location: /v1/<service>/jobs/{id}`; poll it until `status` is `succeeded` (`result` is the
 * operation's output) or `failed` (`problem` says why).
 */
export const AsyncJob = Type.Object({
  id: Uuid,
  kind: Type.Literal('async'),
  /** The operation's subject, e.g. `billing.v1.batch.submit`. */
  operation: Type.String(),
  status: StringEnum(jobStatuses),
  progress: Type.Object({ done: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }),
  result: Type.Optional(Type.Unknown()),
  // Problem's fields without its `$id`, so the schema stands alone wherever it is embedded.
  problem: Type.Optional(Type.Object(Problem.properties)),
  /** Runs started; a run whose copy died is started again from the beginning. */
  attempts: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  startedAt: Type.Union([Timestamp, Type.Null()]),
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});
export type AsyncJob = Static<typeof AsyncJob>;

/** One scheduled job (per practice for a per-practice job) and how its runs went. No error messages: they can hold PHI. */
export const ScheduledJob = Type.Object({
  kind: Type.Literal('scheduled'),
  job: Type.String(),
  practiceId: Type.Union([Type.String(), Type.Null()]),
  /** `every 1m` or the cron pattern. */
  schedule: Type.String(),
  timeZone: Type.Union([Type.String(), Type.Null()]),
  lastRunAt: Type.Union([Timestamp, Type.Null()]),
  lastSuccessAt: Type.Union([Timestamp, Type.Null()]),
  consecutiveFailures: Type.Integer({ minimum: 0 }),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  nextRunAt: Type.Union([Timestamp, Type.Null()]),
  /** A fire time that failed and waits for its retry. */
  retrying: Type.Boolean(),
});
export type ScheduledJob = Static<typeof ScheduledJob>;

/** `GET /v1/<service>/jobs/{id}`: an async job of the caller's practice. The kit answers it for every service. */
export function serviceJobGet(service: BusinessService) {
  return operation({
    service,
    name: 'job.get',
    summary: `An async job of the ${service} service`,
    http: { method: 'GET', path: `/v1/${service}/jobs/{id}` },
    scope: 'practice',
    roles: everyone,
    input: Type.Object({ id: Uuid }, { additionalProperties: false }),
    output: AsyncJob,
    errors: ['not-found'],
  });
}

/**
 * `GET /v1/<service>/jobs?kind=async|scheduled`: the practice's async jobs, newest first (the practice
 * of a practice key, or the one an MSO key names with `X-Practice-Id`); or, for MSO roles, the
 * service's scheduled jobs and how their runs went. The kit answers it for every service.
 */
export function serviceJobList(service: BusinessService) {
  return operation({
    service,
    name: 'job.list',
    summary: `Async or scheduled jobs of the ${service} service`,
    http: { method: 'GET', path: `/v1/${service}/jobs` },
    // Platform scope: the scheduled list is the service's own, not one practice's; the kit scopes async jobs.
    scope: 'platform',
    roles: everyone,
    input: Type.Object({ kind: Type.Optional(StringEnum(['async', 'scheduled'] as const, { default: 'async' })), ...PageQuery }, { additionalProperties: false }),
    output: Page(Type.Union([AsyncJob, ScheduledJob])),
    errors: ['forbidden', 'validation-failed'],
  });
}
