import { randomUUID } from 'node:crypto';
import { createMemoryBus, type Bus } from '@mso/bus';
import {
  busHeaders,
  ProblemError,
  type DataOf,
  type EventDef,
  type EventEnvelope,
  type InputOf,
  type Operation,
  type OutputOf,
  type Principal,
  type RawBody,
  type Role,
} from '@mso/contracts';
import { agreementChanged, getPractice, practiceCreated, type Practice } from '@mso/contracts/tenancy';
import type { Database } from '@mso/db';
import { createPgliteTestDatabase } from '@mso/db/testing';
import { callOperationForReply, decodeJson, encodeJson, eventEnvelope, ManualClock, startHost, type Host, type ServiceDefinition } from '@mso/kit';
import { createLogger, type Logger } from '@mso/telemetry';
import { ObservedBus } from './observed-bus.js';
import { nextAgreement, practiceRecord, type PracticeSpec } from './practices.js';

export interface TestServiceOptions {
  /** The clock the service runs on, or its start time (default 2026-03-02T14:00:00Z). */
  clock?: ManualClock | string;
  logger?: Logger;
}

/** Who calls: a practice role acts for its own practice; an MSO role for the named one. */
export interface CallAs {
  practiceId?: string;
  /** Default: the first role the operation allows. */
  role?: Role;
  /** The API key id the service sees (default `test-<role>`). */
  principalId?: string;
  idempotencyKey?: string;
  /** The raw body of an operation that declares one (`http.body`), e.g. an X12 file. */
  body?: RawBody;
  /** Reply timeout (default 5 s): raise it for a large file. */
  timeoutMs?: number;
}

export interface DeliverOptions {
  /** The practice the event belongs to (its `tenantid`). */
  practiceId?: string | null;
  /** The event id (default random): the same id twice is one event to the consumer's inbox. */
  id?: string;
  subject?: string;
}

export interface TestService {
  readonly clock: ManualClock;
  readonly host: Host;
  readonly bus: Bus;
  /** The service's PGlite database (undefined for a service without `db`). */
  readonly database: Database | undefined;
  /** Calls one of the service's operations over the bus; a problem answer is thrown as a ProblemError. */
  call<Op extends Operation>(op: Op, input: InputOf<Op>, as?: CallAs): Promise<OutputOf<Op>>;
  /** As `call`, with the success status the service answered (e.g. 201 for a new import, 200 for the same file again). */
  callForReply<Op extends Operation>(op: Op, input: InputOf<Op>, as?: CallAs): Promise<{ status: number; output: OutputOf<Op> }>;
  /** Publishes an event as its producer's relay would, and resolves once the service's consumers committed it. */
  deliver<E extends EventDef>(event: E, data: DataOf<E>, options?: DeliverOptions): Promise<void>;
  /** Runs one named job now, for the clock's time (each practice of a per-practice job); rejects if a run failed. */
  runJob(name: string): Promise<void>;
  /** Events the service emitted so far, oldest first (its outbox is published first). */
  events(type?: string): Promise<EventEnvelope<Record<string, unknown>>[]>;
  events<E extends EventDef>(event: E): Promise<EventEnvelope<DataOf<E>>[]>;
  /** Seeds a practice as tenancy would announce it (`tenancy.practice.created`); returns its id. */
  practice(spec?: PracticeSpec): Promise<string>;
  /** Announces the practice's next agreement version (`tenancy.agreement.changed`). */
  changeAgreement(practiceId: string, change: Omit<PracticeSpec, 'name'>): Promise<void>;
  close(): Promise<void>;
}

// The harness runs jobs and the relay when a test says so, not on timers (the longest a timer may wait).
const NEVER_MS = 2 ** 31 - 1;
const practiceRoles: readonly string[] = ['practice-admin', 'practice-user'];
const DELIVER_TIMEOUT_MS = 10_000;

/**
 * A service on the in-memory bus and a PGlite copy of its migrated database, without the gateway or
 * other services: for handler, consumer and job tests that run in milliseconds. Tenancy is not
 * running: `practice()` seeds what it would announce, and the harness answers `tenancy.v1.practice.get`
 * for the practices it seeded.
 */
export async function testService(definition: ServiceDefinition, options: TestServiceOptions = {}): Promise<TestService> {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(options.clock ?? '2026-03-02T14:00:00Z');
  const logger = options.logger ?? createLogger({ name: 'test', level: process.env.LOG_LEVEL ?? 'warn' });
  const hostOptions = { clock, logger, schedulerIntervalMs: NEVER_MS, relayIntervalMs: NEVER_MS };
  const db = definition.db
    ? await createPgliteTestDatabase({
        template: {
          // The template is the database after the host's start (service and kit migrations), once per process.
          key: JSON.stringify(['test-service', definition.id, definition.db.schema, definition.db.migrationsFolder]),
          build: async (database) => {
            const bus = createMemoryBus();
            try {
              await (await startHost({ ...hostOptions, services: [definition], bus, database })).stop();
            } finally {
              await bus.close();
            }
          },
        },
      })
    : undefined;
  const memory = createMemoryBus();
  const observed = new ObservedBus(memory, definition.id);
  const practices = new Map<string, Practice>();
  let host: Host;
  try {
    if (definition.id !== 'tenancy') await answerGetPractice(memory, practices);
    host = await startHost({ ...hostOptions, services: [definition], bus: observed.bus, ...(db ? { database: db.database } : {}) });
  } catch (error) {
    await memory.close();
    await db?.drop();
    throw error;
  }

  const deliver = async <E extends EventDef>(event: E, data: DataOf<E>, opts: DeliverOptions = {}): Promise<void> => {
    const consumers = observed.consumersOf(event.producer, event.subject);
    if (consumers.length === 0) throw new Error(`${definition.id} does not consume ${event.type}`);
    const envelope: EventEnvelope = eventEnvelope(event, data, { id: opts.id, time: clock.now(), subject: opts.subject, practiceId: opts.practiceId });
    // Its own transport id: delivering one event id twice reaches the inbox twice, as a redelivery would.
    const busId = randomUUID();
    const handled = Promise.all(consumers.map((c) => observed.handled(c.durable, busId)));
    await memory.publish({ id: busId, subject: event.subject, data: encodeJson(envelope) });
    await withTimeout(handled, DELIVER_TIMEOUT_MS, () =>
      // PGlite has one connection: a query outside the consumer's transaction waits for it forever.
      new Error(`${consumers.map((c) => c.durable).join(', ')} did not finish ${event.type} within ${DELIVER_TIMEOUT_MS} ms (a query outside its transaction?)`),
    );
  };

  const consumesPractices = () => observed.consumersOf(practiceCreated.producer, practiceCreated.subject).length > 0;

  const callForReply: TestService['callForReply'] = (op, input, as = {}) => {
    const role = as.role ?? (op.roles[0] as Role | undefined);
    if (!role) throw new Error(`${op.subject} allows no role`);
    const principal: Principal = {
      id: as.principalId ?? `test-${role}`,
      role,
      ...(practiceRoles.includes(role) && as.practiceId ? { practiceId: as.practiceId } : {}),
    };
    return callOperationForReply(observed.bus, op, input, {
      principal,
      practiceId: as.practiceId ?? null,
      ...(as.idempotencyKey ? { idempotencyKey: as.idempotencyKey } : {}),
      ...(as.body ? { body: as.body } : {}),
      ...(as.timeoutMs ? { timeoutMs: as.timeoutMs } : {}),
    });
  };
  return {
    clock,
    host,
    bus: observed.bus,
    database: db?.database,
    call: async (op, input, as = {}) => (await callForReply(op, input, as)).output,
    callForReply,
    deliver,
    async runJob(name) {
      const outcomes = await host.runJob(name);
      const failed = outcomes.find((o) => !o.ok);
      if (failed) throw failed.error ?? new Error(`job ${name} failed (${failed.errorCode ?? 'error'})`);
    },
    events: (async (type?: string | EventDef) => {
      await host.flushOutbox();
      const wanted = typeof type === 'string' ? type : type?.type;
      return observed
        .publishedEvents()
        .map((e) => decodeJson<EventEnvelope<Record<string, unknown>>>(e.data))
        .filter((e) => wanted === undefined || e.type === wanted);
    }) as TestService['events'],
    async practice(spec = {}) {
      const practice = practiceRecord(spec, { service: definition.id, now: clock.now() });
      practices.set(practice.id, practice);
      // As tenancy emits it: about the practice, and belonging to it.
      if (consumesPractices()) await deliver(practiceCreated, { practice }, { practiceId: practice.id, subject: practice.id });
      return practice.id;
    },
    async changeAgreement(practiceId, change) {
      const practice = practices.get(practiceId);
      if (!practice) throw new Error(`practice ${practiceId} was not seeded with practice()`);
      const previousServices = practice.agreement.services;
      const agreement = nextAgreement(practice.agreement, change, clock.now());
      practices.set(practiceId, { ...practice, agreement });
      if (observed.consumersOf(agreementChanged.producer, agreementChanged.subject).length > 0) {
        await deliver(agreementChanged, { practiceId, agreement, previousServices }, { practiceId, subject: practiceId });
      }
    },
    async close() {
      await host.stop();
      await memory.close();
      await db?.drop();
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Tenancy's `practice.get`, answered from the practices a test seeded (404 for others). */
async function answerGetPractice(bus: Bus, practices: Map<string, Practice>): Promise<void> {
  await bus.serve({
    service: 'tenancy',
    version: '0.0.0',
    description: 'practices seeded by the test',
    subjects: [getPractice.subject],
    handler: async (request) => {
      const { practiceId } = decodeJson<{ practiceId: string }>(request.data);
      const practice = practices.get(practiceId);
      if (!practice) {
        const problem = new ProblemError('not-found', 'no such practice').toProblem();
        return { data: encodeJson(problem), headers: { [busHeaders.status]: String(problem.status) } };
      }
      return { data: encodeJson(practice), headers: { [busHeaders.status]: '200' } };
    },
  });
}
