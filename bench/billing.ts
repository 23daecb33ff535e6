/**
 * Billing end to end (`BENCH_ONLY=billing pnpm bench`): tenancy, billing and the gateway in their
 * own processes on NATS + PostgreSQL. A practice with billing imports a generated 837P of
 * BENCH_BILLING_CLAIMS claims (default 10,000) through the gateway, submits and batches them, then
 * posts a first small 835 (which the big one partly reverses) and the big 835 that answers every
 * claim. Each stage is timed; the billing process's resident memory is sampled from /proc every
 * 50 ms. Every wait is bounded (BENCH_BILLING_TIMEOUT_SECONDS per stage, default 300).
 * Finance runs in its own process too and books billing's events: timed is how fast it books the big
 * 835's events (from finance's inbox), after it has caught up with everything before.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import postgres from 'postgres';
import { parse835, parse837P } from '@mso/x12';
import { generate837P, generateRemittance835 } from '@mso/x12/testing';

export interface BillingBenchOptions {
  launch: (name: string, args: string[], env: Record<string, string>) => Promise<ChildProcess>;
  nextPort: () => string;
  /** Environment of the platform processes (NATS, namespace, database, admin key, tracing). */
  env: Record<string, string>;
  adminKey: string;
  databaseUrl: string;
}

export interface BillingStage {
  stage: string;
  ms: number;
  /** Peak resident memory of the billing process during the stage, MB. */
  rssPeakMb: number;
  note?: string;
}

/** Finance booking the big 835's events (adjudications, denials, the remittance). */
export interface FinanceBooking {
  events: number;
  /** From the first of them published (billing's outbox) to finance having booked them all, ms. */
  bookingMs: number;
  eventsPerSecond: number;
  /** From the last of them published to the last booked, ms: how far finance trails the relay. */
  lagAfterPublishMs: number;
  /** From the 835's commit (its job seen succeeded) to the last booked, ms. */
  fromCommitMs: number;
  /** VmHWM of the finance process at the end, MB. */
  rssHighWaterMb: number;
  /** CPU time (user + system) from the 835's commit to the last booked, ms: the finance process and its database connections' backends. */
  cpuMs?: { process: number; database: number };
  checks: string[];
}

export interface BillingBenchResult {
  claims: number;
  lines: number;
  bytes837: number;
  bytes835: number;
  clp835: number;
  stages: BillingStage[];
  /** VmHWM of the billing process at the end: the peak over its whole life, MB. */
  rssHighWaterMb: number;
  /** RSS of the billing process once started, before any billing work, MB. */
  idleRssMb?: number;
  checks: string[];
  finance?: FinanceBooking;
  error?: string;
}

const CLAIMS = Number(process.env.BENCH_BILLING_CLAIMS ?? 10_000);
const STAGE_TIMEOUT_MS = Number(process.env.BENCH_BILLING_TIMEOUT_SECONDS ?? 300) * 1000;
const PRIOR_CLAIMS = Math.min(100, Math.floor(CLAIMS / 100));

/** Resident set of a process from /proc (Linux), MB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: Math.round(kb('VmRSS') / 102.4) / 10, hwm: Math.round(kb('VmHWM') / 102.4) / 10 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** CPU time (user + system) a process has used so far, ms (from /proc, in clock ticks of 10 ms); 0 when it cannot be read. */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * The PostgreSQL backends serving a process's connections (every service's are named `mso`): its
 * sockets' local ports among the connections to the server's port, matched to `pg_stat_activity`.
 */
async function backendsOf(sql: postgres.Sql, pid: number, pgPort: number): Promise<number[]> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSafe(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readSafe(file).split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length > 9 && parseInt(f[2]!.split(':')[1]!, 16) === pgPort && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  if (ports.length === 0) return [];
  return (await sql`select pid from pg_stat_activity where datname = current_database() and client_port in ${sql(ports)}`).map((r) => Number(r.pid));
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 50);
  }
  sample(): number {
    const { rss } = memoryOf(this.pid);
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
  /** The peak since the last reset, and starts a new window. */
  take(): number {
    this.sample();
    const p = this.peak;
    this.peak = 0;
    return p;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Samples what the service's database connections are doing every 20 ms: how long a stage spends in
 * which statements, and how long with no statement running (the service computing, or waiting on
 * anything but the database).
 */
class DbActivitySampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private running = true;
  private readonly done: Promise<void>;
  constructor(private readonly sql: postgres.Sql) {
    this.done = this.loop();
  }
  private static readonly active = new Set<DbActivitySampler>();
  /** Stops every sampler still running (a stage that failed before it stopped its own). */
  static stopAll(): Promise<unknown> {
    return Promise.all([...DbActivitySampler.active].map((a) => a.stop()));
  }
  private async loop(): Promise<void> {
    DbActivitySampler.active.add(this);
    while (this.running) {
      const rows = await this.sql`select query from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`.catch(() => []);
      this.samples++;
      if (rows.length === 0) this.counts.set('(no statement running)', (this.counts.get('(no statement running)') ?? 0) + 1);
      for (const r of rows) {
        const key = statementKind(String(r.query));
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
      await sleep(20);
    }
  }
  /** Stops and answers the top statements by share of samples. */
  async stop(top = 6): Promise<string> {
    this.running = false;
    await this.done;
    DbActivitySampler.active.delete(this);
    const entries = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    return entries.map(([k, n]) => `${k} ${Math.round((n / Math.max(1, this.samples)) * 100)} %`).join('; ');
  }
}

/** `update claim_lines`, `insert into claim_adjudications`, `select … from claims`: a statement's verb and first table. */
function statementKind(query: string): string {
  const q = query.replace(/\s+/g, ' ').replace(/"/g, '').trim().toLowerCase();
  const verb = /^(with|select|insert|update|delete|commit|begin|explain|set|savepoint|release)\b/.exec(q)?.[1] ?? q.slice(0, 12);
  const table = /(?:from|into|update) (?:[a-z_]+\.)?([a-z_]+)/.exec(q)?.[1];
  const fn = /^select ([a-z_]+)\(/.exec(q)?.[1];
  return table ? `${verb} ${table}` : fn ? `select ${fn}()` : verb;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

interface Reply {
  status: number;
  json: any;
}

export async function runBillingBench(o: BillingBenchOptions): Promise<BillingBenchResult> {
  const result: BillingBenchResult = { claims: CLAIMS, lines: 0, bytes837: 0, bytes835: 0, clp835: 0, stages: [], rssHighWaterMb: 0, checks: [] };
  let sampler: RssSampler | undefined;
  let billing: ChildProcess | undefined;
  let finance: ChildProcess | undefined;
  const sql = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
  const watcher = postgres(o.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const port = o.nextPort();
    const tenancyProcess = await o.launch('billing tenancy', ['apps/cli/src/main.ts', 'service', 'tenancy'], o.env);
    billing = await o.launch('billing', ['apps/cli/src/main.ts', 'service', 'billing'], o.env);
    finance = await o.launch('billing finance', ['apps/cli/src/main.ts', 'service', 'finance'], o.env);
    await o.launch('billing gateway', ['apps/cli/src/main.ts', 'gateway', '--port', port], o.env);
    sampler = new RssSampler(billing.pid!);
    const base = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, key: string, body?: unknown, raw?: string): Promise<Reply> => {
      const headers: Record<string, string> = { authorization: `Bearer ${key}` };
      if (raw !== undefined) headers['content-type'] = 'application/edi-x12';
      else if (body !== undefined) headers['content-type'] = 'application/json';
      if (method === 'POST') headers['idempotency-key'] = randomUUID();
      const res = await fetch(`${base}${path}`, { method, headers, ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, json };
    };
    const expectOk = (what: string, r: Reply) => {
      if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json).slice(0, 500)}`);
      return r.json;
    };
    const stage = (name: string, started: number, note?: string) => {
      const s: BillingStage = { stage: name, ms: Math.round(performance.now() - started), rssPeakMb: sampler!.take(), ...(note ? { note } : {}) };
      result.stages.push(s);
      process.stdout.write(`  billing ${name}: ${s.ms} ms, billing RSS peak ${s.rssPeakMb} MB${note ? ` (${note})` : ''}\n`);
      return s;
    };

    // The practice.
    const practice = expectOk(
      'create practice',
      await call('POST', '/v1/tenancy/practices', o.adminKey, {
        name: 'Bench Billing Clinic',
        npi: '1234567893',
        taxId: '12-3456789',
        state: 'OH',
        agreement: { model: 'third-party', services: ['billing', 'finance'] },
      }),
    );
    const key = expectOk('api key', await call('POST', `/v1/tenancy/practices/${practice.id}/api-keys`, o.adminKey, { role: 'practice-admin', label: 'bench' })).key as string;
    const deadline = Date.now() + 60_000;
    while ((await call('GET', '/v1/billing/payers', key)).status !== 200) {
      if (Date.now() > deadline) throw new Error('billing never saw the practice');
      await sleep(200);
    }

    // Before any billing work: what the process holds at rest (Node, the kit, telemetry, the loader).
    await sleep(1_000);
    result.idleRssMb = memoryOf(billing.pid!).rss;
    result.checks.push(`at rest: billing process RSS ${result.idleRssMb} MB (tenancy process ${memoryOf(tenancyProcess.pid!).rss} MB)`);
    sampler.take();

    /** Polls an async job to its end; records the times progress first moved and reached its total. */
    const awaitJob = async (reply: Reply, what: string) => {
      if (reply.status !== 202) return { result: expectOk(what, reply), timeline: undefined };
      const id = reply.json.id as string;
      const t0 = performance.now();
      const timeline = { running: NaN, firstProgress: NaN, lastProgress: NaN, done: NaN };
      const end = Date.now() + STAGE_TIMEOUT_MS;
      for (;;) {
        const job = expectOk(`${what} job`, await call('GET', `/v1/billing/jobs/${id}`, key));
        const now = performance.now() - t0;
        if (job.status !== 'queued' && Number.isNaN(timeline.running)) timeline.running = now;
        if (job.progress?.done > 0 && Number.isNaN(timeline.firstProgress)) timeline.firstProgress = now;
        if (job.progress?.total > 0 && job.progress.done >= job.progress.total && Number.isNaN(timeline.lastProgress)) timeline.lastProgress = now;
        if (job.status === 'succeeded') return { result: job.result, timeline: { ...timeline, done: now } };
        if (job.status === 'failed') throw new Error(`${what} job failed: ${JSON.stringify(job.problem).slice(0, 500)}`);
        if (Date.now() > end) throw new Error(`${what} job still ${job.status} after ${STAGE_TIMEOUT_MS / 1000} s (${JSON.stringify(job.progress)})`);
        await sleep(25);
      }
    };
    const unpublished = async () => Number((await sql`select count(*)::int as n from billing.mso_outbox where published_at is null`)[0]!.n);
    const awaitOutbox = async (what: string) => {
      const end = Date.now() + STAGE_TIMEOUT_MS;
      while ((await unpublished()) > 0) {
        if (Date.now() > end) throw new Error(`${what}: outbox not published after ${STAGE_TIMEOUT_MS / 1000} s`);
        await sleep(25);
      }
    };
    const outboxRows = async () => Number((await sql`select count(*)::int as n from billing.mso_outbox`)[0]!.n);
    // What finance books: billing's domain events in billing's outbox, and finance's inbox for them
    // (one row per event handled by its one consumer of billing's events, `finance__billing`).
    const financeTypes = ['billing.claim.submitted', 'billing.claim.adjudicated', 'billing.remittance.posted', 'billing.claim.denied', 'billing.claim.written-off'];
    const billingEvents = async (afterSeq = 0) => Number((await sql`select count(*)::int as n from billing.mso_outbox where seq > ${afterSeq} and envelope->>'type' in ${sql(financeTypes)}`)[0]!.n);
    const financeBooked = async () => Number((await sql`select count(*)::int as n from finance.mso_inbox where consumer = 'finance__billing'`)[0]!.n);
    /** Polls finance's inbox every 50 ms until it holds `n` billing events; answers when it saw them (epoch ms). */
    const awaitFinance = async (n: number, what: string) => {
      const end = Date.now() + STAGE_TIMEOUT_MS;
      for (;;) {
        const booked = await financeBooked();
        if (booked >= n) return Date.now();
        if (Date.now() > end) throw new Error(`${what}: finance booked ${booked} of ${n} billing events after ${STAGE_TIMEOUT_MS / 1000} s`);
        await sleep(50);
      }
    };

    // 1. Import the 837P. Dates of service lie in the last weeks (the services run on the real clock).
    const today = new Date();
    const from = new Date(today.getTime() - 45 * 86_400_000);
    const g837 = generate837P({ claims: CLAIMS, seed: 9, serviceDateFrom: isoDay(from), serviceDays: 28 });
    result.lines = g837.lineCount;
    result.bytes837 = Buffer.byteLength(g837.text);
    let t = performance.now();
    parse837P(g837.text);
    stage('837P parse (parse837P in the bench process, same bytes)', t);
    t = performance.now();
    const importActivity = new DbActivitySampler(watcher);
    const imported = await awaitJob(await call('POST', '/v1/billing/claim-imports', key, undefined, g837.text), 'claim import');
    stage('837P import through the gateway (upload, parse, match/create, insert, scrub)', t, describeTimeline(imported.timeline));
    result.checks.push(`837P import, billing's database connections: ${await importActivity.stop()}`);
    if (imported.result.claimCount !== CLAIMS) throw new Error(`import: ${imported.result.claimCount} claims, expected ${CLAIMS}`);
    if (imported.result.totalChargeCents !== g837.totalChargeCents) throw new Error(`import: total ${imported.result.totalChargeCents}, expected ${g837.totalChargeCents}`);
    const claimIds = (imported.result.claims as { id: string; status: string; patientControlNumber: string }[]).map((c) => c.id);
    const notReady = (imported.result.claims as { status: string }[]).filter((c) => c.status !== 'ready').length;
    result.checks.push(`import: ${imported.result.claimCount} claims, ${formatMoney(imported.result.totalChargeCents)} (as generated), ${notReady} not ready`);
    const drafts = (imported.result.claims as { id: string; status: string }[]).filter((c) => c.status !== 'ready').slice(0, 5);
    const findings = new Set<string>();
    for (const d of drafts) for (const f of expectOk('draft claim', await call('GET', `/v1/billing/claims/${d.id}`, key)).findings) if (f.severity === 'error') findings.add(`${f.code} at ${f.field}`);
    if (findings.size) result.checks.push(`scrubber errors on imported claims: ${[...findings].join(', ')}`);

    // 2. Submit the imported claims as the billing team does, in bulk (`POST claims/submissions`,
    // at most 10,000 ids a call): the clean ones are submitted, the drafts refused with their findings.
    t = performance.now();
    let submitted = 0;
    let refused = 0;
    for (let i = 0; i < claimIds.length; i += 10_000) {
      const answer = expectOk('submit claims', await call('POST', '/v1/billing/claims/submissions', key, { claimIds: claimIds.slice(i, i + 10_000) }));
      submitted += answer.submitted.length;
      refused += answer.refused.length;
      if (answer.refused.length && refused === answer.refused.length) process.stdout.write(`  billing submit refused: ${JSON.stringify(answer.refused[0]).slice(0, 300)}\n`);
    }
    stage(`submit ${claimIds.length} claims (POST claims/submissions)`, t, `${submitted} submitted, ${refused} refused`);
    await awaitOutbox('submit events');
    // The 835 does not need the batch: a failed batch is reported and the run goes on.
    t = performance.now();
    try {
      const batched = await awaitJob(await call('POST', '/v1/billing/batches', key, {}), 'batch');
      const sizes = (batched.result.batches as { claimCount: number; sizeBytes: number }[]).map((b) => `${b.claimCount} claims, ${(b.sizeBytes / 1e6).toFixed(2)} MB`);
      stage('batch (837P written for the payer)', t, `${sizes.join('; ')}; ${describeTimeline(batched.timeline)}`);
    } catch (error) {
      stage('batch (837P written for the payer)', t, `FAILED: ${(error as Error).message.slice(0, 200)}`);
    }

    // 3. A first, small 835 paying some claims, which the big one reverses.
    const prior = generateRemittance835({ claims: g837.claims.slice(0, PRIOR_CLAIMS), seed: 11, traceNumber: `PRIOR${Date.now()}`, paymentDate: isoDay(today), mix: { denied: 0, forwarded: 0, partiallyDenied: 0 } });
    await awaitJob(await call('POST', '/v1/billing/remittances', key, undefined, prior.text), 'prior 835');
    await awaitOutbox('prior 835 events');
    // Finance catches up with everything before the big 835, so that its figures are the 835's alone.
    t = performance.now();
    const before835 = await billingEvents();
    await awaitFinance(before835, 'events before the 835');
    result.checks.push(`finance: ${before835} billing events before the big 835 (submissions, the first 835) booked, caught up ${Math.round(performance.now() - t)} ms after billing's outbox was drained`);

    // 4. The big 835: every claim answered once (the first PRIOR_CLAIMS reversed and posted anew).
    const era = generateRemittance835({ claims: g837.claims.slice(PRIOR_CLAIMS), reverse: prior.claims, seed: 12, traceNumber: `ERA${Date.now()}`, paymentDate: isoDay(today) });
    result.bytes835 = Buffer.byteLength(era.text);
    result.clp835 = era.totals.clpCount;
    t = performance.now();
    parse835(era.text);
    stage('835 parse (parse835 in the bench process, same bytes)', t);
    const rowsBefore = await outboxRows();
    const seqBefore = Number((await sql`select coalesce(max(seq), 0)::int as seq from billing.mso_outbox`)[0]!.seq);
    const activity = new DbActivitySampler(watcher);
    const t835 = performance.now();
    const posted = await awaitJob(await call('POST', '/v1/billing/remittances', key, undefined, era.text), '835');
    const postMs = performance.now() - t835;
    stage('835 post through the gateway (upload, parse, match, post, commit)', t835, describeTimeline(posted.timeline));
    result.checks.push(`835 post, billing's database connections: ${await activity.stop()}`);
    // Committed: every event of the 835 is in billing's outbox; finance is watched from here on.
    const committedAt = Date.now();
    // Finance's CPU from here to the last booked (the process and its backends), which the machine's other work does not change much.
    const pgPort = Number(new URL(o.databaseUrl).port || 5432);
    const financeBackends = await backendsOf(sql, finance.pid!, pgPort);
    const cpuBefore = { process: cpuMsOf(finance.pid!), database: new Map(financeBackends.map((pid) => [pid, cpuMsOf(pid)])) };
    const financeEvents = await billingEvents(seqBefore);
    const financeActivity = new DbActivitySampler(watcher);
    const financeDone = awaitFinance(before835 + financeEvents, '835 events');
    financeDone.catch(() => {}); // awaited below, after the outbox has drained
    t = performance.now();
    await awaitOutbox('835 events');
    const events = (await outboxRows()) - rowsBefore;
    stage('835 events published (outbox drained after commit)', t, `${events} events`);
    const total = performance.now() - t835;
    result.stages.push({ stage: '835 end to end (post + events published)', ms: Math.round(total), rssPeakMb: Math.max(...result.stages.slice(-2).map((s) => s.rssPeakMb)), note: `target ≤ 10,000 ms; post ${Math.round(postMs)} ms` });
    const allBooked = await financeDone;
    const cpuProcess = cpuMsOf(finance.pid!) - cpuBefore.process;
    const cpuDatabase = (await backendsOf(sql, finance.pid!, pgPort)).reduce((sum, pid) => sum + cpuMsOf(pid) - (cpuBefore.database.get(pid) ?? 0), 0);
    const financeStatements = await financeActivity.stop();
    const [span] = await sql`select (extract(epoch from min(published_at)) * 1000)::float8 as first, (extract(epoch from max(published_at)) * 1000)::float8 as last
      from billing.mso_outbox where seq > ${seqBefore} and envelope->>'type' in ${sql(financeTypes)}`;
    const bookingMs = Math.round(allBooked - Number(span!.first));
    const booking: FinanceBooking = {
      events: financeEvents,
      bookingMs,
      eventsPerSecond: Math.round((financeEvents / Math.max(1, bookingMs)) * 1000),
      lagAfterPublishMs: Math.round(allBooked - Number(span!.last)),
      fromCommitMs: allBooked - committedAt,
      rssHighWaterMb: memoryOf(finance.pid!).hwm,
      ...(cpuProcess > 0 || cpuDatabase > 0 ? { cpuMs: { process: cpuProcess, database: cpuDatabase } } : {}),
      checks: [`database connections from the 835's commit until finance had booked it (finance's and billing's relay): ${financeStatements}`],
    };
    result.finance = booking;
    process.stdout.write(`  finance booked ${financeEvents} events of the 835 in ${bookingMs} ms from the first published (${booking.eventsPerSecond} events/s), ${booking.lagAfterPublishMs} ms after the last\n`);
    // The books against the remittances: balanced, cash = the two BPR02s, ERA clearing back to 0.
    const tb = expectOk('finance trial balance', await call('GET', '/v1/finance/trial-balance', key));
    const bal = (k: string) => (tb.accounts as { key: string | null; balanceCents: number }[]).find((a) => a.key === k)?.balanceCents ?? 0;
    const cash = prior.totals.paymentCents + era.totals.paymentCents;
    booking.checks.push(
      `trial balance: debits ${formatMoney(tb.totalDebitCents)} ${tb.totalDebitCents === tb.totalCreditCents ? '=' : '≠'} credits ${formatMoney(tb.totalCreditCents)}; cash ${formatMoney(bal('cash'))} (BPR02s ${formatMoney(cash)}); ERA clearing ${formatMoney(bal('era-clearing'))}; interest income ${formatMoney(bal('interest-income'))}; patient AR ${formatMoney(bal('patient-ar'))}`,
    );
    const r = 'remittances' in posted.result ? posted.result.remittances[0] : posted.result;
    result.checks.push(
      `835: ${r.claimCount} claims, ${r.matchedClaimCount} matched, ${r.unmatchedClaimCount} unmatched, payment ${formatMoney(r.paymentAmountCents)} (generated ${formatMoney(era.totals.paymentCents)}), ${r.providerAdjustments?.length} PLB adjustments, ${events} events`,
    );
    // Spot checks: a few claims against what the generator says posting must leave.
    let wrong = 0;
    const sample = (imported.result.claims as { id: string; patientControlNumber: string }[]).filter((_, i) => i % Math.max(1, Math.floor(CLAIMS / 25)) === 0);
    for (const c of sample) {
      const e = era.expected.get(c.patientControlNumber)!;
      const got = expectOk('get claim', await call('GET', `/v1/billing/claims/${c.id}`, key));
      if (got.status !== e.status || got.paidCents !== e.paidCents || got.patientResponsibilityCents !== e.patientResponsibilityCents || got.balanceCents !== 0) {
        wrong++;
        if (wrong <= 3) result.checks.push(`claim ${c.patientControlNumber}: ${got.status} paid ${got.paidCents} PR ${got.patientResponsibilityCents} balance ${got.balanceCents}; expected ${e.status} paid ${e.paidCents} PR ${e.patientResponsibilityCents} balance 0`);
      }
    }
    result.checks.push(`${sample.length - wrong} of ${sample.length} sampled claims as expected`);
  } catch (error) {
    result.error = (error as Error).message;
    process.stdout.write(`  billing scenario failed: ${result.error}\n`);
  } finally {
    sampler?.stop();
    await DbActivitySampler.stopAll();
    if (billing?.pid) result.rssHighWaterMb = memoryOf(billing.pid).hwm;
    await sql.end();
    await watcher.end();
  }
  return result;
}

function describeTimeline(t: { running: number; firstProgress: number; lastProgress: number; done: number } | undefined): string | undefined {
  if (!t) return 'answered synchronously';
  const ms = (x: number) => (Number.isNaN(x) ? '–' : `${Math.round(x)}`);
  return `job: running at ${ms(t.running)} ms, first progress ${ms(t.firstProgress)} ms, all progress ${ms(t.lastProgress)} ms, succeeded seen ${ms(t.done)} ms`;
}

function formatMoney(cents: number | undefined): string {
  return cents === undefined ? '?' : `$${(cents / 100).toFixed(2)}`;
}

export function billingReport(r: BillingBenchResult): string {
  const lines = [
    `Billing end to end: ${r.claims} claims (${r.lines} lines), 837P ${(r.bytes837 / 1e6).toFixed(2)} MB, 835 ${(r.bytes835 / 1e6).toFixed(2)} MB with ${r.clp835} CLPs`,
    '',
    '| stage | ms | billing RSS peak MB | note |',
    '|---|---:|---:|---|',
    ...r.stages.map((s) => `| ${s.stage} | ${s.ms} | ${s.rssPeakMb} | ${s.note ?? ''} |`),
    '',
    `Billing process peak RSS (VmHWM, whole run): ${r.rssHighWaterMb} MB (target < 300 MB)`,
    ...r.checks.map((c) => `- ${c}`),
    ...(r.finance ? financeReport(r.finance) : []),
    ...(r.error ? [`- FAILED: ${r.error}`] : []),
  ];
  return lines.join('\n');
}

function financeReport(f: FinanceBooking): string[] {
  return [
    '',
    `Finance booking the 835's ${f.events} events (adjudications, denials, the remittance): ${f.eventsPerSecond} events/s; all booked ${f.bookingMs} ms after the first was published (target ≤ 10,000 ms), ${f.lagAfterPublishMs} ms after the last, ${f.fromCommitMs} ms after the 835's commit was seen`,
    `Finance process peak RSS (VmHWM, whole run): ${f.rssHighWaterMb} MB`,
    ...(f.cpuMs
      ? [`Finance CPU from the 835's commit to the last booked: process ${f.cpuMs.process} ms, its database backends ${f.cpuMs.database} ms (${Math.round(((f.cpuMs.process + f.cpuMs.database) / f.events) * 1000)} ms per 1,000 events)`]
      : []),
    ...f.checks.map((c) => `- ${c}`),
  ];
}
