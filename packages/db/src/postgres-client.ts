import postgres, { type Options, type ReservedSql, type Sql, type TransactionSql } from 'postgres';
import { endQuerySpan, startQuerySpan, traced, type SpanTarget } from './tracing.js';

type Callback = (sql: TransactionSql) => unknown;
type Unsafe = (text: string, params?: unknown[], options?: object) => PromiseLike<unknown>;
/** The parts of a postgres.js query the scoped statements use. */
type Query = PromiseLike<unknown> & { execute(): unknown; values(): unknown };


/**
 * Ends a span when a postgres.js query settles. postgres.js queries are lazy promises that start
 * executing on the first `then`, so the span starts there too and measures the real round trip.
 */
function instrumentQuery(query: PromiseLike<unknown>, text: string, target: SpanTarget, onSettle?: () => void): void {
  const originalThen = query.then;
  let settled: Promise<unknown> | undefined;
  Object.defineProperty(query, 'then', {
    configurable: true,
    writable: true,
    value(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
      if (settled === undefined) {
        const span = startQuerySpan(text, target);
        settled = Promise.resolve(
          originalThen.call(
            query,
            (value) => {
              onSettle?.();
              endQuerySpan(span);
              return value;
            },
            (error: unknown) => {
              onSettle?.();
              endQuerySpan(span, error);
              throw error;
            },
          ),
        );
      }
      return settled.then(onFulfilled, onRejected);
    },
  });
}

/** A statement every transaction of a scoped client starts with (tenant-wall.ts: role and practice). */
export interface StatementSetup {
  readonly text: string;
  readonly params: readonly unknown[];
}

function wrapCallback(args: unknown[], target: SpanTarget, setup?: StatementSetup): unknown[] {
  const last = args.length - 1;
  const fn = args[last];
  if (typeof fn !== 'function') return args;
  const copy = [...args];
  copy[last] = setup
    ? (scoped: TransactionSql) => {
        const traced = traceSqlClient(scoped, target);
        // Sent, not awaited: the transaction's first statement follows it on the same connection in
        // the same round trip. If it fails, that statement fails (25P02) and postgres.js's scope
        // reports this error instead, as the first one of the transaction.
        (traced.unsafe(setup.text, setup.params as never[]) as unknown as Query).execute();
        return (fn as Callback)(traced);
      }
    : (scoped: TransactionSql) => (fn as Callback)(traceSqlClient(scoped, target));
  return copy;
}

/**
 * What a scoped client's `unsafe` returns in place of a postgres.js query: the same lazy promise with
 * the one modifier drizzle uses (`values()`, rows as arrays), run in its own transaction on first use.
 */
class ScopedStatement implements PromiseLike<unknown> {
  private asValues = false;
  private running: Promise<unknown> | undefined;

  constructor(private readonly run: (values: boolean) => Promise<unknown>) {}

  values(): this {
    this.asValues = true;
    return this;
  }

  then<A = unknown, B = never>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.running ??= this.run(this.asValues);
    return this.running.then(onFulfilled, onRejected);
  }
}

/**
 * What the batch client's `unsafe` returns: a statement recorded into the write batch being built,
 * sent with the batch (see ConnectionSet.writeBatch); it settles with its own result.
 */
class BatchedStatement implements PromiseLike<unknown> {
  asValues = false;
  readonly result: Promise<unknown>;
  settle!: { resolve(value: unknown): void; reject(error: unknown): void };

  constructor(
    readonly text: string,
    readonly params: readonly unknown[],
  ) {
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.result.catch(() => undefined); // the batch reports the first failure
  }

  values(): this {
    this.asValues = true;
    return this;
  }

  then<A = unknown, B = never>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.result.then(onFulfilled, onRejected);
  }
}

/**
 * Returns a view of a postgres.js client whose `unsafe` queries (the only entry point drizzle uses)
 * produce query spans, including on the scoped clients of `begin` and `savepoint`. Everything else is
 * passed through untouched (tagged-template queries are not traced).
 */
export function traceSqlClient<T extends Sql | TransactionSql>(sql: T, target: SpanTarget): T {
  const unsafe: Unsafe = (text, params, options) => {
    // A parameterised statement that is not prepared costs postgres.js a describe round trip of its
    // own before every execution (and stops the pipeline behind it); prepared once per connection, it
    // is one message. Statements with many parameters (multi-row inserts, whose texts vary with the
    // row count) stay unnamed, so a connection does not keep a large statement per row count.
    const prepare = (params?.length ?? 0) <= PREPARED_PARAMETERS_LIMIT;
    const query = (sql.unsafe as Unsafe)(text, params, { ...options, prepare });
    instrumentQuery(query, text, target);
    return query;
  };
  const begin = (...args: unknown[]) =>
    (sql as unknown as { begin: (...a: unknown[]) => unknown }).begin(...wrapCallback(args, target));
  const savepoint = (...args: unknown[]) =>
    (sql as unknown as { savepoint: (...a: unknown[]) => unknown }).savepoint(...wrapCallback(args, target));
  return new Proxy(sql, {
    get(client, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin' && 'begin' in client) return begin;
      if (property === 'savepoint' && 'savepoint' in client) return savepoint;
      return Reflect.get(client, property, receiver) as unknown;
    },
  });
}

/** A postgres.js query on `client`, not yet executed (it starts on `execute()` or its first `then`). */
function unexecuted(client: Sql, text: string, args: readonly unknown[], options: object): Query {
  return client.unsafe(text, args as never[], options as never) as unknown as Query;
}

/** A statement of a chain: text, parameters, rows as arrays. */
type ChainLink = readonly [string, readonly unknown[], boolean];

/**
 * Statements sent as one chain (`patches/postgres@3.4.9.patch`): each as Bind and Execute and one Sync
 * after the last, so the server runs them as one implicit transaction, committed at the Sync; an error
 * in one skips the rest and rolls back all of them. One query, one reply to wait for, and no BEGIN or
 * COMMIT. Resolves with every statement's result in order; undefined when the chain was refused (a
 * statement not yet prepared on the connection: nothing was sent, run them another way).
 */
async function sendChain(client: Sql, links: readonly ChainLink[]): Promise<unknown[] | undefined> {
  const [text, params, asValues] = links.at(-1)!;
  const query = unexecuted(client, text, params, { prepare: true, simple: false, chain: links.slice(0, -1) });
  if (asValues) query.values();
  try {
    return (await query) as unknown[];
  } catch (error) {
    if ((error as { code?: unknown }).code === 'CHAIN_UNPREPARED') return undefined;
    throw error;
  }
}

// Shared by the statements of every scoped read instead of new ones per statement; frozen, since
// postgres.js writes to a query's options in some of its methods (none of which these statements use).
const PREPARED = Object.freeze({ prepare: true });
const NOT_PREPARED = Object.freeze({ prepare: false });
/** A statement that a chain may take later: prepared, also without parameters (postgres.js sends those as simple queries). */
const STATEMENT = Object.freeze({ prepare: true, simple: false });
const NO_PARAMS: readonly unknown[] = Object.freeze([]);

/** Statements in flight on a connection up to which the statements of one turn share it (see pick). */
const TURN_SHARE_LIMIT = 3;
/** Statements in a transaction with at most this many parameters are prepared (see traceSqlClient). */
const PREPARED_PARAMETERS_LIMIT = 64;
/** A connection held by a transaction or reservation counts as this many queued statements. */
const HELD_WEIGHT = 1_000;

/**
 * `count` postgres.js clients of ONE connection each, with statements dispatched to the least busy one.
 *
 * Why not one postgres.js client with `max: count`: in postgres.js 3.4.9 every statement moves its
 * connection between internal queues, and those queues only compact when they run empty; under
 * sustained load they never do, and the linear `indexOf` on each move makes every statement slower
 * (measured here over five back-to-back 10 s runs: `max: 10` went from 47 to 141 µs of client CPU per
 * statement, four one-connection clients stayed at 19–27 µs). With one connection per
 * client those queues hold at most one entry. Each connection pipelines statements, which is what
 * gives postgres.js its throughput, and with several connections a long transaction or slow statement
 * does not hold up the rest of the process: the dispatcher steers new statements away from connections
 * held by a transaction.
 */
export class ConnectionSet {
  readonly clients: readonly Sql[];
  private readonly load: number[];
  private ending: Promise<void> | undefined;
  /** The connection this event-loop turn's statements go to (see pick). */
  private turn: number | undefined;
  /** The statements of the write batch being built (see writeBatch). */
  private recording: BatchedStatement[] | undefined;

  constructor(url: string, options: Options<Record<string, postgres.PostgresType>>, count: number) {
    this.clients = Array.from({ length: count }, () => postgres(url, { ...options, max: 1 }));
    this.load = this.clients.map(() => 0);
  }

  get options(): Sql['options'] {
    return this.clients[0]!.options;
  }

  private pick(): number {
    // Statements of one event-loop turn go to the same connection while it has few in flight: each
    // connection's messages leave in one socket write per turn (a costly call on a busy machine),
    // so sharing one saves writes; past the limit the least busy connection takes over, so a slow
    // statement holds up only a few others.
    const turn = this.turn;
    if (turn !== undefined && this.load[turn]! < TURN_SHARE_LIMIT) return turn;
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    if (turn === undefined) setImmediate(() => (this.turn = undefined));
    this.turn = best;
    return best;
  }

  /**
   * A postgres.js-shaped facade for drizzle: `unsafe` and `begin` are dispatched and traced. With
   * `setup` (the tenant wall's scope), every transaction starts with it, and every statement outside a
   * transaction runs in a transaction of its own that starts with it ({@link scopedStatement}).
   */
  drizzleClient(target: SpanTarget, setup?: StatementSetup): Sql {
    const plainUnsafe: Unsafe = (text, params, options) => {
      const index = this.pick();
      // Counted from creation: `await` calls `then` only a microtask later, and statements created in
      // the same tick must already see each other. drizzle executes every statement it creates.
      this.load[index]!++;
      // Prepared (named) statements for parameterised statements: parse and plan once per connection
      // instead of a describe round trip per statement. drizzle emits a bounded set of statement texts.
      const query = (this.clients[index]!.unsafe as Unsafe)(text, params, { ...options, prepare: true });
      instrumentQuery(query, text, target, () => void this.load[index]!--);
      return query;
    };
    const open = async (args: unknown[], first: StatementSetup | undefined) => {
      const index = this.pick();
      this.load[index]! += HELD_WEIGHT;
      try {
        return await (this.clients[index] as unknown as { begin: (...a: unknown[]) => Promise<unknown> }).begin(
          ...wrapCallback(args, target, first),
        );
      } finally {
        this.load[index]! -= HELD_WEIGHT;
      }
    };
    const begin = (...args: unknown[]) => open(args, setup);
    const unsafe: Unsafe = setup
      ? (text, params, options) => new ScopedStatement((values) => this.scopedStatement(target, setup, text, params, options, values))
      : plainUnsafe;
    return new Proxy(this.clients[0]!, {
      get(client, property, receiver) {
        if (property === 'unsafe') return unsafe;
        if (property === 'begin') return begin;
        return Reflect.get(client, property, receiver) as unknown;
      },
    });
  }

  /**
   * One statement in a transaction of its own that starts with `setup`, in one round trip and without
   * holding a connection: the setup and the statement as one chain ({@link sendChain}). A connection
   * that has not prepared the two yet runs them the first time as BEGIN, the setup, the statement
   * and COMMIT back to back, which prepares them there. Each client has exactly one connection and
   * sends its statements in the order they are executed; these four are executed synchronously, so no
   * other statement comes between them. A failing setup or statement aborts the transaction: what
   * follows fails too, and COMMIT rolls back.
   */
  private async scopedStatement(target: SpanTarget, setup: StatementSetup, text: string, params: unknown[] | undefined, options: object | undefined, values: boolean): Promise<unknown> {
    const index = this.pick();
    this.load[index]!++;
    try {
      return await traced(text, target, async () => {
        const client = this.clients[index]!;
        const results = await sendChain(client, [
          [setup.text, setup.params, false],
          [text, params ?? NO_PARAMS, values],
        ]);
        if (results) return results[1];
        // Not simple even without parameters: prepared here, the statement can go in a chain next time.
        const { committed } = this.inTransaction(client, setup, [[text, params ?? NO_PARAMS, values, { ...options, ...STATEMENT }]]);
        return (await committed)[0];
      });
    } finally {
      this.load[index]!--;
    }
  }

  /**
   * drizzle adjusts `options.parsers`/`serializers` (date types) of the client it is constructed with,
   * which is the first one; call this afterwards so every connection decodes alike.
   */
  mirrorOptions(): void {
    const first = this.clients[0]!;
    for (const client of this.clients.slice(1)) {
      Object.assign(client.options.parsers, first.options.parsers);
      Object.assign(client.options.serializers, first.options.serializers);
    }
  }

  /** Reserves one connection (for session-level state such as advisory locks). */
  async reserve(): Promise<ReservedSql> {
    const index = this.pick();
    this.load[index]! += HELD_WEIGHT;
    let reserved: ReservedSql;
    try {
      reserved = await this.clients[index]!.reserve();
    } catch (error) {
      this.load[index]! -= HELD_WEIGHT;
      throw error;
    }
    const release = reserved.release.bind(reserved);
    let released = false;
    reserved.release = () => {
      if (released) return;
      released = true;
      this.load[index]! -= HELD_WEIGHT;
      release();
    };
    return reserved;
  }

  /**
   * A postgres.js-shaped facade for drizzle whose statements are recorded into the write batch being
   * built ({@link ConnectionSet.writeBatch}) instead of sent; outside one it refuses them.
   */
  batchClient(): Sql {
    const unsafe: Unsafe = (text, params) => {
      const batch = this.recording;
      if (!batch) throw new Error('a statement on the write-batch handle outside a write batch: build it inside writeBatch()');
      const statement = new BatchedStatement(text, params ?? NO_PARAMS);
      batch.push(statement);
      return statement;
    };
    return new Proxy(this.clients[0]!, {
      get(client, property, receiver) {
        if (property === 'unsafe') return unsafe;
        if (property === 'begin') throw new Error('a write batch is a transaction already');
        return Reflect.get(client, property, receiver) as unknown;
      },
    });
  }

  /**
   * A transaction of writes whose results nothing waits for before the COMMIT: `record` builds its
   * statements synchronously on the batch handle ({@link batchClient}), and they are sent with
   * `setup` as one chain ({@link sendChain}), like {@link scopedStatement}: one round trip, and the
   * connection is not held, so the batches and reads of one event-loop turn share its socket write.
   * Resolves when the transaction is committed; rejects with the failure, and nothing of the batch
   * stays.
   */
  // async: a body that throws gives a rejected promise, like a write that fails (it still runs synchronously).
  async writeBatch(target: SpanTarget, setup: StatementSetup, record: () => void): Promise<void> {
    const statements: BatchedStatement[] = [];
    if (this.recording) throw new Error('write batches do not nest');
    this.recording = statements;
    try {
      record();
    } finally {
      this.recording = undefined;
    }
    if (statements.length === 0) return;
    const index = this.pick();
    const client = this.clients[index]!;
    this.load[index]! += statements.length;
    const spans = statements.map((statement) => startQuerySpan(statement.text, target));
    try {
      // A multi-row insert with many parameters stays unnamed (traceSqlClient), and so out of chains.
      const chainable = statements.every((statement) => statement.params.length <= PREPARED_PARAMETERS_LIMIT);
      const links = statements.map((statement): ChainLink => [statement.text, statement.params, statement.asValues]);
      const results = chainable ? await sendChain(client, [[setup.text, setup.params, false], ...links]) : undefined;
      if (results) statements.forEach((statement, i) => statement.settle.resolve(results[i + 1]));
      else {
        const { writes, committed } = this.inTransaction(
          client,
          setup,
          statements.map((statement) => [statement.text, statement.params, statement.asValues, statement.params.length <= PREPARED_PARAMETERS_LIMIT ? STATEMENT : NOT_PREPARED]),
        );
        writes.forEach((query, i) => void query.then(statements[i]!.settle.resolve, statements[i]!.settle.reject));
        await committed;
      }
      for (const span of spans) endQuerySpan(span);
    } catch (error) {
      // A statement that settled already (in the explicit transaction, before the failure) keeps its result.
      for (const statement of statements) statement.settle.reject(error);
      for (const span of spans) endQuerySpan(span, error);
      throw error;
    } finally {
      this.load[index]! -= statements.length;
    }
  }

  /**
   * Statements in a transaction that starts with `setup`, for a connection that has not prepared
   * them yet (which this does) or a batch that cannot be a chain: BEGIN, `setup`, the statements and
   * COMMIT executed synchronously and in order, so no other statement comes between them on the
   * connection (a postgres.js query starts on its first `then`). `writes` are the statements' own
   * queries; `committed` resolves with the statements' results once the COMMIT is done, and rejects
   * with the first statement that failed (the ones after it fail only as "transaction is aborted",
   * and COMMIT rolls back).
   */
  private inTransaction(client: Sql, setup: StatementSetup, statements: readonly (readonly [string, readonly unknown[], boolean, object])[]): { writes: Query[]; committed: Promise<unknown[]> } {
    const run = (sql: string, args: readonly unknown[], extra: object) => unexecuted(client, sql, args, extra);
    const queries = [run('begin', NO_PARAMS, PREPARED), run(setup.text, setup.params, PREPARED)];
    const writes = statements.map(([text, params, asValues, extra]) => {
      const query = run(text, params, extra);
      if (asValues) query.values();
      queries.push(query);
      return query;
    });
    queries.push(run('commit', NO_PARAMS, PREPARED));
    for (const query of queries) query.execute();
    // Replies come in order, so the first rejection is the first failure.
    return { writes, committed: Promise.all(queries).then((results) => results.slice(2, -1)) };
  }

  /** Runs an untraced statement on the least busy connection. */
  async run(text: string): Promise<void> {
    await this.clients[this.pick()]!.unsafe(text);
  }

  end(timeoutSeconds: number): Promise<void> {
    this.ending ??= Promise.all(this.clients.map((c) => c.end({ timeout: timeoutSeconds }))).then(() => undefined);
    return this.ending;
  }
}
