import { asc, eq, sql } from 'drizzle-orm';
import { integer, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { ProblemError, type EventEnvelope, type Principal } from '@mso/contracts';
import { agreementChanged, getPractice, practiceCreated, type Agreement } from '@mso/contracts/tenancy';
import type { Bus } from '@mso/bus';
import type { Logger } from '@mso/telemetry';
import { callOperation } from './call.js';
import type { Clock } from './clock.js';
import { loggableError } from './errors.js';
import { currentTransaction, runInTransaction } from './transaction.js';
import type { ConsumerBinding, ConsumerContext, Db } from './service.js';

export type { Agreement };

/** Every practice's current agreement, as this service knows it (read-only for service code). */
export interface AgreementView {
  /** The practice's current agreement; asks tenancy once when this service has not heard of it; null when tenancy does not know it either. */
  get(practiceId: string): Promise<Agreement | null>;
  /** Every agreement this service knows, by practice id. */
  list(): Promise<Agreement[]>;
}

/**
 * `agreements: true` in defineService, or an object with a hook that runs when a practice's agreement
 * changes, in the transaction that records the change (e.g. to re-calendar running SLA clocks).
 */
export interface AgreementsDeclaration {
  onChange?(previous: Agreement | null, next: Agreement, ctx: ConsumerContext): Promise<void>;
}

/** The kit's copy of each practice's current agreement, in the service's own schema (kit migration 0003). */
export function agreementsTable(schemaName: string) {
  return pgSchema(schemaName).table('mso_agreements', {
    practiceId: text('practice_id').primaryKey(),
    version: integer('version').notNull(),
    agreement: jsonb('agreement').$type<Agreement>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  });
}
export type AgreementsTable = ReturnType<typeof agreementsTable>;

export interface AgreementStoreDeps {
  table: AgreementsTable;
  db: () => Db;
  bus: Bus;
  clock: Clock;
  log: Logger;
  principal: Principal;
}

/**
 * Keeps the view: events from tenancy write it (older or repeated versions are ignored, since events
 * may arrive late or twice); a practice not heard of yet is asked of tenancy, once at a time.
 */
export class AgreementStore implements AgreementView {
  private readonly asking = new Map<string, Promise<Agreement | null>>();

  constructor(private readonly deps: AgreementStoreDeps) {}

  async get(practiceId: string): Promise<Agreement | null> {
    const tx = currentTransaction();
    const known = await this.find(this.reader(), practiceId);
    if (known) return known;
    // Inside a transaction tenancy cannot be asked: the call would hold the transaction's locks across
    // the network, and in embedded mode (PGlite, one connection) tenancy's own read, and then the
    // view's write of its answer, would wait forever for the connection this transaction holds. The
    // kit asks before the transactions it opens (consumers: `forEvent`; handlers: `ctx.agreement`);
    // a practice still unknown here is retried: the event is redelivered, the request answered 503.
    if (tx) throw new ProblemError('service-unavailable', `the agreement of practice ${practiceId} is not known here yet: read it before the transaction opens, or retry`);
    let pending = this.asking.get(practiceId);
    if (!pending) {
      pending = this.askTenancy(practiceId).finally(() => this.asking.delete(practiceId));
      this.asking.set(practiceId, pending);
    }
    return pending;
  }

  async list(): Promise<Agreement[]> {
    const { table } = this.deps;
    const rows = await this.reader().select({ agreement: table.agreement }).from(table).orderBy(asc(table.practiceId));
    return rows.map((r) => r.agreement);
  }

  /**
   * The view a consumer's transaction reads: the event's practice is looked up (and, when unknown,
   * asked of tenancy) before the transaction opens, outside it. When tenancy does not know the
   * practice either, `get` of it inside the transaction answers null, as it would outside one.
   */
  async forEvent(envelope: EventEnvelope): Promise<AgreementView> {
    const practiceId = envelope.tenantid;
    // The view's own feed records what it carries; asking first would make it look already known.
    if (!practiceId || feedTypes.has(envelope.type)) return this;
    let answer: Agreement | null | undefined;
    try {
      answer = await this.get(practiceId);
    } catch (error) {
      // Tenancy unreachable: a consumer that needs the agreement fails inside and is redelivered.
      this.deps.log.warn({ practiceId, err: loggableError(error) }, 'agreement of the event\'s practice not fetched');
    }
    if (answer !== null) return this;
    return {
      get: async (id) => (id === practiceId ? await this.find(this.reader(), id) : this.get(id)),
      list: () => this.list(),
    };
  }

  /** The practice's agreement for a request: 404 when tenancy does not know the practice. */
  async require(practiceId: string): Promise<Agreement> {
    const agreement = await this.get(practiceId);
    if (!agreement) throw new ProblemError('not-found', 'the practice is not known to tenancy');
    return agreement;
  }

  /**
   * Records `next` unless this version or a newer one is known. Returns the agreement it replaced
   * (null for a first one), or undefined when nothing changed.
   */
  async apply(db: Db, next: Agreement): Promise<{ previous: Agreement | null } | undefined> {
    const { table, clock } = this.deps;
    const [current] = await db.select({ agreement: table.agreement }).from(table).where(eq(table.practiceId, next.practiceId)).for('update');
    if (current && current.agreement.version >= next.version) return undefined;
    const written = await db
      .insert(table)
      .values({ practiceId: next.practiceId, version: next.version, agreement: next, updatedAt: clock.now() })
      .onConflictDoUpdate({
        target: table.practiceId,
        set: { version: sql`excluded.version`, agreement: sql`excluded.agreement`, updatedAt: sql`excluded.updated_at` },
        where: sql`${table.version} < excluded.version`,
      })
      .returning({ practiceId: table.practiceId });
    return written.length ? { previous: current?.agreement ?? null } : undefined;
  }

  /**
   * The handle the view reads through: the open transaction's, when the calling code is in one (a
   * consumer's, a handler's `ctx.transaction`). The root handle would read outside its snapshot on a
   * second connection, and on PGlite's single connection wait forever for the one it holds.
   */
  private reader(): Db {
    return currentTransaction()?.db ?? this.deps.db();
  }

  private async find(db: Db, practiceId: string): Promise<Agreement | null> {
    const { table } = this.deps;
    const [row] = await db.select({ agreement: table.agreement }).from(table).where(eq(table.practiceId, practiceId));
    return row?.agreement ?? null;
  }

  /** Only outside a transaction (see `get`). */
  private async askTenancy(practiceId: string): Promise<Agreement | null> {
    let agreement: Agreement;
    try {
      const practice = await callOperation(this.deps.bus, getPractice, { practiceId }, { principal: this.deps.principal, practiceId: null });
      agreement = practice.agreement;
    } catch (error) {
      if (error instanceof ProblemError && error.code === 'not-found') return null;
      throw error;
    }
    // Its own short transaction: whatever the caller is doing, the view keeps what tenancy said.
    await runInTransaction(this.deps.db(), { tenant: practiceId }, async (tx) => {
      await this.apply(tx, agreement);
    });
    this.deps.log.debug({ practiceId, version: agreement.version }, 'agreement fetched from tenancy');
    return (await this.find(this.reader(), practiceId)) ?? agreement;
  }
}

const feedTypes: ReadonlySet<string> = new Set([practiceCreated.type, agreementChanged.type]);

/** The consumers the kit registers for a service that declares `agreements`. */
export function agreementConsumers(store: AgreementStore, declaration: AgreementsDeclaration): ConsumerBinding[] {
  const learn = async (agreement: Agreement, ctx: ConsumerContext) => {
    const changed = await store.apply(ctx.db, agreement);
    if (changed && declaration.onChange) await declaration.onChange(changed.previous, agreement, ctx);
  };
  return [
    { event: practiceCreated, handler: (e, ctx) => learn(e.data.practice.agreement, ctx) } as ConsumerBinding<typeof practiceCreated>,
    { event: agreementChanged, handler: (e, ctx) => learn(e.data.agreement, ctx) } as ConsumerBinding<typeof agreementChanged>,
  ] as unknown as ConsumerBinding[];
}

/** The view of a service that did not declare `agreements`: says how to get one. */
export function undeclaredAgreements(service: string): AgreementView {
  const refuse = () => Promise.reject(new Error(`${service}: declare \`agreements: true\` in defineService to read agreements`));
  return { get: refuse, list: refuse };
}
