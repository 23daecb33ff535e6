import Type, { type Static, type TObject, type TSchema } from 'typebox';

/** The business services a practice can buy. Tenancy is the control plane and is always on. */
export const businessServices = ['billing', 'collections', 'hr', 'helpdesk', 'finance'] as const;
export type BusinessService = (typeof businessServices)[number];
export type ServiceId = BusinessService | 'tenancy';

export const roles = ['mso-admin', 'mso-staff', 'practice-admin', 'practice-user'] as const;
export type Role = (typeof roles)[number];
export const mso = ['mso-admin', 'mso-staff'] as const satisfies Role[];
export const everyone = [...roles] as Role[];

/** Stable problem codes and the HTTP status each maps to (RFC 9457 `code` extension member). */
export const problemStatus = {
  'validation-failed': 400,
  'idempotency-key-required': 400,
  unauthorized: 401,
  forbidden: 403,
  'service-not-in-agreement': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'idempotency-key-in-use': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'idempotency-key-reused': 422,
  /** A claim the scrubber refused; the problem carries the scrubber's `findings`. */
  'claim-scrub-failed': 422,
  'too-many-requests': 429,
  internal: 500,
  'service-unavailable': 503,
} as const;
export type ProblemCode = keyof typeof problemStatus;

export const ProblemFieldError = Type.Object({
  /** JSON pointer into the request input, e.g. `/agreement/services/1`. */
  path: Type.String(),
  message: Type.String(),
});

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ProblemFieldError)),
  },
  { $id: 'Problem' },
);
export type Problem = Static<typeof Problem>;

/** The members every problem has; anything else a problem carries is an extension (RFC 9457 §3.2). */
const problemMembers = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'errors']);

/** Thrown by handlers and domain code; becomes problem+json at the edge. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly errors?: { path: string; message: string }[],
    /** Extension members of the problem (e.g. a scrubber's `findings`), merged into its JSON. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ProblemError';
    this.status = problemStatus[code];
  }

  toProblem(instance?: string): Problem {
    const extensions = this.extensions ? Object.fromEntries(Object.entries(this.extensions).filter(([k]) => !problemMembers.has(k))) : {};
    return {
      ...extensions,
      type: `https://mso-platform.dev/problems/${this.code}`,
      title: titleOf(this.code),
      status: this.status,
      code: this.code,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }

  static from(problem: Problem): ProblemError {
    const code = (problem.code in problemStatus ? problem.code : 'internal') as ProblemCode;
    const extensions = Object.fromEntries(Object.entries(problem).filter(([k]) => !problemMembers.has(k)));
    return new ProblemError(code, problem.detail ?? problem.title, problem.errors, Object.keys(extensions).length ? extensions : undefined);
  }
}

export function titleOf(code: ProblemCode): string {
  const t = code.replace(/-/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpBinding {
  method: HttpMethod;
  /** Path under `/v1/<service>/`, with `{param}` placeholders that name input properties. */
  path: string;
  /** Success status. Default 200. */
  status?: number;
  /**
   * Other 2xx statuses the handler may answer with (`ctx.status(code)`), each with the same output:
   * e.g. 200 when a POST finds the same file imported before and answers with the first result.
   */
  statuses?: readonly number[];
  /** Body limit in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /**
   * A raw (non-JSON) request body, e.g. an X12 file: the gateway accepts only these media types (415
   * otherwise), up to `maxBytes` (413 beyond), without parsing it; the handler reads the bytes from
   * `ctx.body`. Path and query parameters still come from `input`.
   */
  body?: RawBodySpec;
  /** A raw response (an 837P file, a PDF): the handler returns a `RawBody` of one of these types. */
  response?: { mediaTypes: readonly string[] };
}

export interface RawBodySpec {
  mediaTypes: readonly string[];
  maxBytes: number;
}

/** Bytes with their media type: a raw request body as the handler sees it, or a raw response. */
export interface RawBody {
  mediaType: string;
  bytes: Uint8Array;
}

/**
 * The `output` of an operation with a raw response (`http.response`): its handler returns a `RawBody`;
 * OpenAPI shows the bytes of each declared media type.
 */
export const RawResponse = Type.Unsafe<RawBody>({ description: 'The bytes of one of the declared media types' });

/**
 * Where an operation runs:
 * - `practice`: on behalf of one practice (the tenant). Practice keys act for their own practice;
 *   MSO keys name it with `X-Practice-Id`. The practice's agreement must include the service.
 * - `platform`: MSO-wide (control plane). No tenant; roles decide.
 */
export type OperationScope = 'practice' | 'platform';

export interface Operation<I extends TObject = TObject, O extends TSchema = TSchema> {
  readonly kind: 'operation';
  readonly service: ServiceId;
  /** `<noun>.<verb>`, e.g. `ticket.create`. */
  readonly name: string;
  readonly version: number;
  /** NATS subject: `<service>.v<version>.<name>`. */
  readonly subject: string;
  readonly summary: string;
  readonly http?: HttpBinding;
  readonly scope: OperationScope;
  readonly roles: readonly Role[];
  readonly input: I;
  readonly output: O;
  readonly errors: readonly ProblemCode[];
  /** Safe to retry without an idempotency key (reads). */
  readonly readOnly: boolean;
  /**
   * `required`: a write that creates money or documents; a request without `Idempotency-Key` is
   * refused with 400 `idempotency-key-required`. `optional` (default for writes): the key is honoured
   * when sent. Reads ignore it.
   */
  readonly idempotency: 'optional' | 'required';
  /**
   * Long work: the gateway answers `202 Accepted` with a job resource at
   * `/v1/<service>/jobs/{id}`, and the service runs it on the kit's job runner.
   */
  readonly async: boolean;
  /**
   * With `async`: requests whose raw body is at most this many bytes run at once and answer as a
   * synchronous operation would; only larger ones become jobs. Undefined: every request is a job.
   */
  readonly asyncAboveBytes?: number;
  /** Whether the operation reads or writes PHI: the kit writes a PHI access audit record. */
  readonly phi?: 'read' | 'write';
}

export interface OperationSpec<I extends TObject, O extends TSchema> {
  service: ServiceId;
  name: string;
  version?: number;
  summary: string;
  http?: HttpBinding;
  scope?: OperationScope;
  roles: readonly Role[];
  input: I;
  output: O;
  errors?: readonly ProblemCode[];
  idempotency?: 'optional' | 'required';
  /** `true`: always a job. `{ aboveBytes }`: a job only for a raw body larger than that; smaller ones answer at once. */
  async?: boolean | { aboveBytes: number };
  phi?: 'read' | 'write';
}

/** Declares an operation: data only, shared by the gateway, the service and any caller. */
export function operation<I extends TObject, O extends TSchema>(spec: OperationSpec<I, O>): Operation<I, O> {
  const version = spec.version ?? 1;
  if (typeof spec.async === 'object' && !spec.http?.body) throw new Error(`${spec.service}.${spec.name}: async.aboveBytes needs a raw body (http.body)`);
  const readOnly = !spec.http || spec.http.method === 'GET';
  return Object.freeze({
    kind: 'operation',
    service: spec.service,
    name: spec.name,
    version,
    subject: `${spec.service}.v${version}.${spec.name}`,
    summary: spec.summary,
    ...(spec.http ? { http: spec.http } : {}),
    scope: spec.scope ?? 'practice',
    roles: spec.roles,
    input: spec.input,
    output: spec.output,
    errors: spec.errors ?? [],
    readOnly: spec.http ? readOnly : false,
    idempotency: spec.idempotency ?? 'optional',
    async: spec.async !== undefined && spec.async !== false,
    ...(typeof spec.async === 'object' ? { asyncAboveBytes: spec.async.aboveBytes } : {}),
    ...(spec.phi ? { phi: spec.phi } : {}),
  });
}

export interface EventDef<D extends TSchema = TSchema> {
  readonly kind: 'event';
  /** `<service>.<noun>.<past-tense>`, e.g. `helpdesk.ticket.created`. */
  readonly type: string;
  readonly version: number;
  readonly producer: ServiceId;
  /** JetStream subject: `evt.<type>` (the type starts with the producer). */
  readonly subject: string;
  readonly data: D;
}

export function event<D extends TSchema>(spec: { type: string; version?: number; data: D }): EventDef<D> {
  const producer = spec.type.split('.')[0] as ServiceId;
  return Object.freeze({
    kind: 'event',
    type: spec.type,
    version: spec.version ?? 1,
    producer,
    subject: `evt.${spec.type}`,
    data: spec.data,
  });
}

/** CloudEvents 1.0 envelope plus the `tenantid` extension (the practice). */
export interface EventEnvelope<D = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  dataschemaversion: number;
  tenantid?: string;
  data: D;
}

export type InputOf<Op> = Op extends Operation<infer I, TSchema> ? Static<I> : never;
export type OutputOf<Op> = Op extends Operation<TObject, infer O> ? Static<O> : never;
export type DataOf<E> = E extends EventDef<infer D> ? Static<D> : never;

/** The principal a request runs as; set by the gateway from the API key. */
export interface Principal {
  /** API key id, or `system` for internal calls. */
  id: string;
  role: Role | 'system';
  /** The practice a practice-role key belongs to. */
  practiceId?: string;
}

/** Header names carried by every operation request over the bus. */
export const busHeaders = {
  tenant: 'mso-tenant',
  principal: 'mso-principal',
  idempotencyKey: 'idempotency-key',
  /** Set on replies: the HTTP-like status of the outcome (`200`, `201`, `404`, ...). */
  status: 'mso-status',
  /**
   * On a request with a raw body (and on a raw reply): the body's media type, e.g. `application/edi-x12`.
   * The message data is then the bytes themselves.
   */
  mediaType: 'mso-media-type',
  /** On a request with a raw body: the JSON input (path and query parameters), since the data is the body. */
  input: 'mso-input',
  /** Set on replies replayed from a stored first response (HTTP `Idempotent-Replayed: true`). */
  replayed: 'idempotent-replayed',
  /** Set on replies that name a resource to look at next (HTTP `Location`), e.g. a job. */
  location: 'location',
} as const;

// ---- Shared schema building blocks ----------------------------------------------------------

/** A string from a fixed list: plain JSON Schema `enum`, typed as the union of the values. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A value or `null` (a field that is always present, empty as null). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid' });
export const IsoDate = Type.String({ format: 'date', description: 'Calendar date, YYYY-MM-DD' });
export const Timestamp = Type.String({ format: 'date-time' });
/** Money: integer cents, never a float. */
export const Cents = Type.Integer({ description: 'Amount in integer cents' });
export const UsState = Type.String({ pattern: '^[A-Z]{2}$', description: 'US state code, e.g. FL' });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export const Empty = Type.Object({}, { additionalProperties: false });
