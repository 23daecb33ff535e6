import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import { busHeaders, ProblemError, type Operation, type RawBody } from '@mso/contracts';
import type { BusReply, Headers } from '@mso/bus';
import type { Logger } from '@mso/telemetry';
import type { Clock } from './clock.js';
import { loggableError } from './errors.js';
import { runInTransaction } from './transaction.js';
import type { KitTables } from './tables.js';
import type { Db, JobDefinition } from './service.js';
import { ALL_PRACTICES } from '@mso/db';

/**
 * `Idempotency-Key` with Stripe's semantics, kept in each service's `mso_idempotency` table:
 *
 * - The first request with a key claims a record (practice + key) carrying the request's fingerprint,
 *   runs, and stores its reply: successes and the 4xx problems its handler answered (the request
 *   reached execution; repeating it would answer the same). A 5xx is not stored and frees the key, so
 *   that the retry the caller makes runs again; unless the handler's transaction had committed, whose
 *   effects must not happen twice, so then the 5xx is stored too. Refusals before the handler runs
 *   (role, validation, a missing required key) are not stored: they touch no record.
 * - A later request with the key replays the stored status and body with `idempotent-replayed: true`.
 * - The key with a different request (operation, practice, input or raw body; async submits too) answers 422 `idempotency-key-reused`.
 * - While the first runs, another request with its key answers 409 `idempotency-key-in-use` at once
 *   (as Stripe does): holding it would tie up a connection per waiting caller; the caller retries.
 * - The handler's transactions mark the record committed in the same transaction as their effects. A
 *   copy that crashes before that leaves a claim another request may take over once its lease
 *   passes; one that crashes after it leaves a record that answers 409, never a second effect.
 * - Replies of operations that declare `phi` are sealed with AES-256-GCM under `MSO_IDEMPOTENCY_KEY`.
 *   Without a key they are not stored at all (only status and fingerprint, so reuse and replay are
 *   still recognised): a replay then answers 409 naming the status, and the caller reads the resource.
 *   Plain-text PHI at rest in a cache table would be a copy outside the service's own access rules.
 * - Records expire (24 h after the first request by default); a periodic prune deletes them.
 */

export interface IdempotencyOptions {
  /** How long a reply is replayed. Default: env `MSO_IDEMPOTENCY_TTL_HOURS`, else 24. */
  ttlHours?: number;
  /** How often expired records are deleted (wall time). Default 1 h. */
  pruneIntervalMs?: number;
  /** 32 bytes, base64: seals the replies of PHI operations. Default: env `MSO_IDEMPOTENCY_KEY`. */
  encryptionKey?: string;
}

export interface IdempotencySettings {
  ttlMs: number;
  pruneIntervalMs: number;
  encryptionKey: Buffer | undefined;
}

const HOUR_MS = 3_600_000;
/** How long a claim is exclusive: past it, a copy that died mid-request no longer blocks its key. */
const CLAIM_LEASE_MS = 60_000;
const PLATFORM = '-';

/** The idempotency settings the environment names: `MSO_IDEMPOTENCY_TTL_HOURS`, `MSO_IDEMPOTENCY_KEY`. */
export function idempotencyOptionsFromEnv(env: Record<string, string | undefined>): IdempotencyOptions {
  return {
    ...(env.MSO_IDEMPOTENCY_TTL_HOURS ? { ttlHours: Number(env.MSO_IDEMPOTENCY_TTL_HOURS) } : {}),
    ...(env.MSO_IDEMPOTENCY_KEY ? { encryptionKey: env.MSO_IDEMPOTENCY_KEY } : {}),
  };
}

/** Options win over the environment; a malformed setting stops the start. */
export function idempotencySettings(options: IdempotencyOptions = {}, env: Record<string, string | undefined> = process.env): IdempotencySettings {
  const merged = { ...idempotencyOptionsFromEnv(env), ...options };
  const ttlHours = merged.ttlHours ?? 24;
  if (!Number.isFinite(ttlHours) || ttlHours <= 0) throw new Error(`MSO_IDEMPOTENCY_TTL_HOURS must be a positive number of hours, got ${String(ttlHours)}`);
  const encryptionKey = merged.encryptionKey ? Buffer.from(merged.encryptionKey, 'base64') : undefined;
  if (encryptionKey && encryptionKey.length !== 32) throw new Error('MSO_IDEMPOTENCY_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  return { ttlMs: ttlHours * HOUR_MS, pruneIntervalMs: merged.pruneIntervalMs ?? HOUR_MS, encryptionKey };
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What makes two requests "the same": the operation (its subject names method and path), the practice and the input. */
export function requestFingerprint(op: Operation, tenant: string | null, input: unknown, body?: RawBody): string {
  const hash = createHash('sha256').update(canonicalJson([op.subject, tenant ?? '', input ?? {}]));
  if (body) hash.update(`\n${body.mediaType}\n`).update(body.bytes);
  return hash.digest('hex');
}

export interface IdempotentRequest {
  op: Operation;
  tenant: string | null;
  key: string;
  /** The validated input. */
  input: unknown;
  body?: RawBody;
}

/** Runs the handler: its reply, problems included. `markCommitted` must run in each of its transactions. */
export type IdempotentExecution = (markCommitted: (tx: Db) => Promise<void>) => Promise<BusReply>;

interface StoredReply {
  headers: Headers;
  /** The body as JSON, or base64 bytes for a raw reply. */
  json?: unknown;
  base64?: string;
}

export class IdempotencyRecords {
  constructor(
    private readonly deps: { db: () => Db; table: KitTables['idempotency']; clock: Clock; log: Logger; settings: IdempotencySettings },
  ) {}

  async run(request: IdempotentRequest, execute: IdempotentExecution): Promise<BusReply> {
    const practiceId = request.tenant ?? PLATFORM;
    const fingerprint = requestFingerprint(request.op, request.tenant, request.input, request.body);
    const owner = randomUUID();
    if (!(await this.claim(request, practiceId, fingerprint, owner))) return this.answerTaken(request, practiceId, fingerprint);
    const reply = await execute((tx) => this.markCommitted(tx, practiceId, request.key, owner));
    const status = replyStatus(reply);
    if (status >= 500 && (await this.release(practiceId, request.key, owner))) return reply;
    await this.complete(request.op, practiceId, request.key, owner, reply).catch((error: unknown) => {
      // The effect stands and the caller gets its reply; a retry will see a committed record and 409.
      this.deps.log.error({ err: loggableError(error), operation: request.op.subject }, 'storing the idempotent reply failed');
    });
    return reply;
  }

  /** Deletes expired records; returns how many. */
  async prune(): Promise<number> {
    const t = this.deps.table;
    // Every practice's records: the kit's own retention, past the tenant wall.
    const deleted = await runInTransaction(this.deps.db(), { tenant: ALL_PRACTICES }, (tx) =>
      tx.delete(t).where(lte(t.expiresAt, this.deps.clock.now())).returning({ key: t.key }),
    );
    return deleted.length;
  }

  /** The kit job that deletes expired records (one copy per interval, like any scheduled job). */
  pruneJob(): JobDefinition {
    return { name: 'mso-idempotency-prune', every: `${this.deps.settings.pruneIntervalMs}ms`, run: async () => void (await this.prune()) };
  }

  private async claim(request: IdempotentRequest, practiceId: string, fingerprint: string, owner: string): Promise<boolean> {
    const t = this.deps.table;
    const now = this.deps.clock.now();
    const fresh = {
      operation: request.op.subject,
      fingerprint,
      owner,
      lockedUntil: new Date(now.getTime() + CLAIM_LEASE_MS),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.settings.ttlMs),
    };
    // A Date in raw SQL is not serialised by the postgres.js driver: pass the instant as text.
    const at = sql`${now.toISOString()}::timestamptz`;
    const claimed = await runInTransaction(this.deps.db(), { tenant: request.tenant }, (tx) =>
      tx
        .insert(t)
        .values({ practiceId, key: request.key, ...fresh })
        .onConflictDoUpdate({
          target: [t.practiceId, t.key],
          set: { ...fresh, committedAt: null, status: null, reply: null, sealedReply: null },
          // Take over an expired record, or the claim of a copy that died before committing anything.
          setWhere: sql`${t.expiresAt} <= ${at} or (${t.fingerprint} = ${fingerprint} and ${t.status} is null and ${t.committedAt} is null and ${t.lockedUntil} <= ${at})`,
        })
        .returning({ owner: t.owner }),
    );
    return claimed[0]?.owner === owner;
  }

  private async answerTaken(request: IdempotentRequest, practiceId: string, fingerprint: string): Promise<BusReply> {
    const t = this.deps.table;
    const [record] = await runInTransaction(this.deps.db(), { tenant: request.tenant }, (tx) =>
      tx.select().from(t).where(and(eq(t.practiceId, practiceId), eq(t.key, request.key))),
    );
    if (!record) throw new ProblemError('idempotency-key-in-use', 'a request with this Idempotency-Key was just settled; retry it');
    if (record.fingerprint !== fingerprint) {
      throw new ProblemError('idempotency-key-reused', 'this Idempotency-Key was used with a different request; use a new key for a new request');
    }
    if (record.status === null) {
      throw new ProblemError(
        'idempotency-key-in-use',
        record.committedAt
          ? 'the first request with this Idempotency-Key took effect but its reply was not kept; read the resource instead of retrying'
          : 'a request with this Idempotency-Key is still running; retry shortly',
      );
    }
    const stored = record.sealedReply ? this.open(record.sealedReply, practiceId, request.key) : (record.reply as StoredReply | null);
    if (!stored) {
      throw new ProblemError('idempotency-key-in-use', `the first request with this Idempotency-Key was answered with status ${record.status}; its reply holds PHI and was not kept, so read the resource instead`);
    }
    const data = stored.base64 !== undefined ? new Uint8Array(Buffer.from(stored.base64, 'base64')) : stored.json === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(stored.json));
    return { data, headers: { ...stored.headers, [busHeaders.replayed]: 'true' } };
  }

  private async markCommitted(tx: Db, practiceId: string, key: string, owner: string): Promise<void> {
    const t = this.deps.table;
    const marked = await tx
      .update(t)
      .set({ committedAt: this.deps.clock.now() })
      .where(and(eq(t.practiceId, practiceId), eq(t.key, key), eq(t.owner, owner)))
      .returning({ key: t.key });
    // Our lease passed and another request took the key over: roll back rather than act twice.
    if (marked.length === 0) throw new Error('the idempotency claim of this request was taken over by a retry');
  }

  /** Frees the key after a failure that committed nothing; false when the handler's transaction had committed. */
  private async release(practiceId: string, key: string, owner: string): Promise<boolean> {
    const t = this.deps.table;
    const deleted = await runInTransaction(this.deps.db(), { tenant: practiceId === PLATFORM ? null : practiceId }, (tx) =>
      tx
        .delete(t)
        .where(and(eq(t.practiceId, practiceId), eq(t.key, key), eq(t.owner, owner), isNull(t.committedAt)))
        .returning({ key: t.key }),
    );
    return deleted.length > 0;
  }

  private async complete(op: Operation, practiceId: string, key: string, owner: string, reply: BusReply): Promise<void> {
    const t = this.deps.table;
    const stored = storedReply(reply);
    const body = op.phi
      ? { reply: null, sealedReply: this.deps.settings.encryptionKey ? this.seal(stored, practiceId, key) : null }
      : { reply: stored, sealedReply: null };
    await runInTransaction(this.deps.db(), { tenant: practiceId === PLATFORM ? null : practiceId }, (tx) =>
      tx
        .update(t)
        .set({ status: replyStatus(reply), ...body })
        .where(and(eq(t.practiceId, practiceId), eq(t.key, key), eq(t.owner, owner))),
    );
  }

  // Sealed as iv (12) | tag (16) | ciphertext, base64; the record's practice and key are the associated
  // data, so a sealed reply cannot be replayed under another record.
  private seal(reply: StoredReply, practiceId: string, key: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.deps.settings.encryptionKey!, iv);
    cipher.setAAD(Buffer.from(`${practiceId}\n${key}`));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(reply), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  private open(sealed: string, practiceId: string, key: string): StoredReply | null {
    if (!this.deps.settings.encryptionKey) return null;
    try {
      const bytes = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.deps.settings.encryptionKey, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${practiceId}\n${key}`));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as StoredReply;
    } catch {
      return null; // sealed under another key (rotated): treated as not kept
    }
  }
}

/** Tells ops at start when PHI writes will not replay (no key to seal their replies with). */
export function warnUnsealedPhiReplies(services: readonly { id: string; handlers: readonly { operation: Operation }[] }[], settings: IdempotencySettings, log: Logger): void {
  if (settings.encryptionKey) return;
  const phi = services.flatMap((s) => s.handlers.map((h) => h.operation)).filter((op) => op.phi && !op.readOnly);
  if (phi.length) log.warn({ operations: phi.map((op) => op.subject) }, 'MSO_IDEMPOTENCY_KEY is not set: replies of these PHI operations are not stored, so a retry with its Idempotency-Key answers 409');
}

/** A request that carries no key where the operation requires one (checked after the role, with validation). */
export function requireIdempotencyKey(op: Operation, key: string | undefined): void {
  if (op.idempotency === 'required' && !op.readOnly && !key) {
    throw new ProblemError('idempotency-key-required', `${op.subject} creates money or documents: send an Idempotency-Key header (a new UUID per request, reused on retries)`);
  }
}

function replyStatus(reply: BusReply): number {
  return Number(reply.headers?.[busHeaders.status] ?? 200);
}

function storedReply(reply: BusReply): StoredReply {
  const headers = { ...(reply.headers ?? {}) };
  if (headers[busHeaders.mediaType]) return { headers, base64: Buffer.from(reply.data).toString('base64') };
  return reply.data.byteLength ? { headers, json: JSON.parse(new TextDecoder().decode(reply.data)) } : { headers };
}

