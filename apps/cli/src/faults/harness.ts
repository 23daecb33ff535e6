// A fault run: the platform on its own NATS server and PostgreSQL cluster, billing, finance and
// collections in several OS processes each (as `mso up` runs them), the gateway and tenancy in this
// process (as the CLI's integration tests run them); practices' work through the gateway while
// service copies, outbox relays, nats-server and PostgreSQL are killed at seeded random moments and
// restarted. Then the checks (checks.ts). The seed is printed first, so a failure can be replayed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startPrivateNats } from '@mso/bus/conformance';
import { openDatabase, type Database } from '@mso/db';
import { startPrivatePostgres } from '@mso/db/testing';
import { ManualClock } from '@mso/kit';
import { createLogger } from '@mso/telemetry';
import { startTestPlatform, type TestPlatform } from '@mso/testing';
import { prng } from '@mso/x12/testing';
import { Api, type Json } from '../demo/client.js';
import { practicePlans } from '../demo/setup.js';
import { FaultClient, type ClientCounts } from './client.js';
import { checkMso, checkPractice, query, streamFacts, unpublishedEvents } from './checks.js';
import { processOfLocalPort, serviceCopy, type Copy } from './processes.js';
import { newLedger, Workload, type PracticeLedger } from './workload.js';

export interface FaultRunOptions {
  seed: number;
  /** Writes to make at least (each one intended effect). */
  operations: number;
  /** Kills to make at least; the work goes on until both are reached. */
  kills: number;
  /** Run this long instead (the long mode): work and kills until the time is up. */
  minutes?: number;
  /** Concurrent clients. */
  workers: number;
  claimsPerFile: number;
  /** Pause between two kills, ms (drawn between the two). */
  killEveryMs: [number, number];
  /** nats-server kills (PostgreSQL restarts once). */
  natsKills: number;
  /**
   * When in the run (0–1) nats-server is killed and PostgreSQL restarted; default spread out. A short
   * run puts them early: the redeliveries they cause come one ack wait (30 s) later, while it works.
   */
  natsAt?: number[];
  postgresAt?: number;
  /** Copies of each killable service. */
  copies: number;
  out?: (line: string) => void;
}

export type KillKind = 'billing' | 'finance' | 'collections' | 'relay' | 'nats-server' | 'postgres';

export interface FaultRunReport {
  seed: number;
  elapsedSeconds: number;
  counts: ClientCounts;
  kills: Record<KillKind, number>;
  killsTotal: number;
  /** JetStream deliveries beyond the first of an event (kills, nacks after database errors). */
  redeliveries: number;
  /** Repeats the platform did not apply again: replayed keys, repeated files, and replies lost after the effect. */
  duplicatesSuppressed: number;
  deadLetters: number;
  unpublished: number;
  /** Imports billing answered 409 `conflict` (two files creating one patient at once), sent again. */
  conflictsResent: number;
  claims: number;
  remittances: number;
  payments: number;
  /** Writes refused or never settled (each with why). */
  unsettled: string[];
  failures: string[];
  ok: boolean;
}

const SERVICES = ['billing', 'finance', 'collections'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, ready: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(250);
  }
}

export async function runFaults(o: FaultRunOptions): Promise<FaultRunReport> {
  const out = o.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const rnd = prng(o.seed);
  const between = ([a, b]: [number, number]) => a + Math.floor(rnd() * (b - a));
  out(`fault run: seed ${o.seed} (FAULTS_SEED=${o.seed} replays it)`);
  const dir = mkdtempSync(join(tmpdir(), 'mso-faults-'));
  const stopServers: (() => Promise<void>)[] = [];
  const copies: Copy[] = [];
  const savedEnv = { nats: process.env.TEST_NATS_URL, db: process.env.TEST_DATABASE_URL };
  let platform: TestPlatform | undefined;
  let database: Database | undefined;
  // Set when the run ends (also by a failure): the work, the kills and the restarts stop.
  let over = false;
  try {
    const nats = await startPrivateNats({ dir, monitor: true });
    stopServers.push(nats.kill);
    const pg = await startPrivatePostgres(dir);
    stopServers.push(pg.stop);
    // The test platform (gateway, tenancy, a fresh database and namespace) on the run's own servers.
    process.env.TEST_NATS_URL = nats.url;
    process.env.TEST_DATABASE_URL = pg.url;
    // The in-process tenancy logs every relay pass a kill interrupts: fatal only, unless LOG_LEVEL says.
    const logger = createLogger({ name: 'mso-faults', level: process.env.LOG_LEVEL ?? 'fatal' });
    platform = await startTestPlatform({ services: ['tenancy'], clock: new ManualClock(new Date().toISOString()), logger });
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(platform.app.server.address() as AddressInfo).port}`;
    database = await openDatabase({ url: platform.databaseUrl!, maxConnections: 1, applicationName: 'mso-faults' });
    const env = {
      NATS_URL: nats.url,
      NATS_NAMESPACE: platform.namespace,
      DATABASE_URL: platform.databaseUrl!,
      LOG_LEVEL: 'warn',
      MSO_IDEMPOTENCY_KEY: randomBytes(32).toString('base64'),
    };
    // A copy that dies on its own is a finding: reported, and started again as a supervisor would.
    const crashes: string[] = [];
    // (Before the work begins a crashed copy stays down; the end of the run starts every copy again.)
    let restartCrashed: (copy: Copy) => void = () => {};
    const onCrash = (copy: Copy, how: string) => {
      crashes.push(`${copy.name} exited on its own (${how}) at ${((Date.now() - started) / 1000).toFixed(0)} s; see its log`);
      restartCrashed(copy);
    };
    for (const service of SERVICES) for (let i = 1; i <= o.copies; i++) copies.push(serviceCopy({ service, index: i, env, logDir: dir, onCrash }));
    for (const c of copies) c.start();
    await Promise.all(copies.map((c) => c.ready()));
    out(`  platform up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${copies.map((c) => c.name).join(', ')}; nats-server and PostgreSQL of its own in ${dir}`);

    // Two practices of the demo, each buying billing, collections and finance.
    const client = new FaultClient({ timeoutMs: 20_000, budgetMs: 150_000 });
    const admin = new Api(baseUrl, platform.adminKey);
    const ledgers: PracticeLedger[] = [];
    // Their business days are ten hours behind and fourteen ahead of UTC: at any hour one of them is
    // on another date than UTC, so the checks always meet a payment dated by the practice's own day.
    const timeZones = ['Pacific/Honolulu', 'Pacific/Kiritimati'];
    for (const [i, plan] of practicePlans.filter((p) => (p.agreement.services as string[]).includes('collections')).entries()) {
      const agreement = { ...plan.agreement, timeZone: timeZones[i % timeZones.length] };
      const created = await admin.post('/v1/tenancy/practices', { name: plan.name, npi: plan.npi, taxId: plan.taxId, state: plan.state, agreement });
      const key = (await admin.post(`/v1/tenancy/practices/${created.id}/api-keys`, { role: 'practice-admin', label: 'fault run' })).key as string;
      ledgers.push(newLedger({ id: created.id, tag: plan.key.slice(0, 1).toUpperCase(), api: admin.withKey(key), timeZone: created.agreement.timeZone as string }));
    }
    for (const l of ledgers) {
      const api = l.practice.api;
      await until('services to know the practices', 60_000, async () => (await api.request('GET', '/v1/billing/payers', undefined, { expect: [403, 404, 503] })).status === 200 && (await api.request('GET', '/v1/collections/reports/aging', undefined, { expect: [403, 404, 503] })).status === 200);
    }
    const today = new Date().toISOString().slice(0, 10);
    const period = today.slice(0, 7);
    const workload = new Workload({ client, seed: o.seed, claimsPerFile: o.claimsPerFile, today });

    // ---- work and faults, side by side --------------------------------------------------------
    const kills: Record<KillKind, number> = { billing: 0, finance: 0, collections: 0, relay: 0, 'nats-server': 0, postgres: 0 };
    const killsTotal = () => Object.values(kills).reduce((s, n) => s + n, 0);
    const deadline = o.minutes ? started + o.minutes * 60_000 : undefined;
    const progress = () => (deadline ? (Date.now() - started) / (deadline - started) : Math.min(client.counts.writes / o.operations, killsTotal() / o.kills));
    const done = () => over || (deadline ? Date.now() >= deadline : client.counts.writes >= o.operations && killsTotal() >= o.kills);
    const restarts: Promise<void>[] = [];
    // A copy restarted while nats-server or PostgreSQL is down may exit before it is ready: start it again.
    const restart = async (copy: Copy, delayMs: number) => {
      await sleep(delayMs);
      for (let attempt = 1; !over; attempt++) {
        copy.start();
        try {
          return await copy.ready();
        } catch (error) {
          if (attempt >= 5) throw error;
          await sleep(1_000);
        }
      }
    };
    restartCrashed = (copy) => void restarts.push(restart(copy, 500).catch(() => {}));
    const kill = async (copy: Copy, kind: KillKind) => {
      await copy.kill();
      kills[kind]++;
      restarts.push(restart(copy, between([300, 3_000])));
    };
    const relayHolder = async (schema: string): Promise<Copy | undefined> => {
      const end = Date.now() + 3_000;
      while (Date.now() < end) {
        const rows = await query(
          database!,
          `select a.client_port from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.granted and l.objsubid = 1
              and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('mso.outbox-relay:${schema}', 0)`,
        ).catch(() => []);
        const port = Number(rows[0]?.client_port ?? 0);
        const pid = port ? processOfLocalPort(port) : undefined;
        const copy = copies.find((c) => c.running && c.pid === pid);
        if (copy) return copy;
        await sleep(15);
      }
      return undefined;
    };
    const natsAt = o.natsAt ? [...o.natsAt] : Array.from({ length: o.natsKills }, (_, i) => (i + 0.5) / (o.natsKills + 0.5));
    const pgAt = o.postgresAt ?? 0.55;
    let pgDone = false;
    const chaos = (async () => {
      while (!done()) {
        await sleep(between(o.killEveryMs));
        if (done()) break;
        if (natsAt.length && progress() >= natsAt[0]!) {
          natsAt.shift();
          await nats.restart(between([200, 1_500]));
          kills['nats-server']++;
          out(`  [${((Date.now() - started) / 1000).toFixed(0)} s] nats-server killed and restarted`);
          continue;
        }
        if (!pgDone && progress() >= pgAt) {
          pgDone = true;
          await pg.restart(between([300, 1_500]));
          kills.postgres++;
          out(`  [${((Date.now() - started) / 1000).toFixed(0)} s] PostgreSQL shut down immediately and restarted`);
          continue;
        }
        const roll = rnd();
        if (roll < 0.25) {
          const schema = SERVICES[Math.floor(rnd() * SERVICES.length)]!;
          const holder = await relayHolder(schema);
          if (holder) {
            await kill(holder, 'relay');
            continue;
          }
        }
        const running = copies.filter((c) => c.running);
        const target = running[Math.floor(rnd() * running.length)];
        if (target) await kill(target, target.service as KillKind);
      }
    })();
    let feeRun: Json | null = null;
    let feeRunMade = false;
    const worker = async (i: number) => {
      for (let n = 0; !done(); n++) {
        if (!feeRunMade && progress() >= 0.85) {
          feeRunMade = true;
          const outcome = await client.write(admin, 'POST', '/v1/finance/management-fees/runs', { period });
          if (outcome.kind === 'ok') feeRun = outcome.body;
          else if (outcome.kind !== 'took-effect') ledgers[0]!.unsettled.push({ what: `fee run ${period}`, outcome });
        }
        const ledger = ledgers[(i + n) % ledgers.length]!;
        try {
          await workload.cycle(ledger);
          await workload.payments(3, 5_000);
        } catch (error) {
          // A read that found no service within its budget: the cycle's later writes are not made.
          ledger.unsettled.push({ what: 'a cycle stopped', outcome: { kind: 'gave-up', error: (error as Error).message.slice(0, 300), attempts: 0 } });
        }
      }
    };
    const ticker = setInterval(() => out(`  [${((Date.now() - started) / 1000).toFixed(0)} s] ${client.counts.writes} writes, ${client.counts.requests} requests, ${killsTotal()} kills`), 15_000);
    try {
      await Promise.all([...Array.from({ length: o.workers }, (_, i) => worker(i)), chaos]);
    } finally {
      clearInterval(ticker);
    }
    await Promise.all(restarts);
    await Promise.all(copies.filter((c) => !c.running).map((c) => restart(c, 0)));
    if (!feeRunMade) {
      const outcome = await client.write(admin, 'POST', '/v1/finance/management-fees/runs', { period });
      if (outcome.kind === 'ok') feeRun = outcome.body;
    }
    out(`  [${((Date.now() - started) / 1000).toFixed(0)} s] faults stopped; ${workload.pendingPayments} patient payments wait for collections`);
    const drainEnd = Date.now() + 120_000;
    while (workload.pendingPayments > 0 && Date.now() < drainEnd) if ((await workload.payments(workload.pendingPayments, 10_000)) === 0) await sleep(2_000);

    // ---- the platform catches up; then the checks ----------------------------------------------
    let failures: string[] = [];
    let facts = { redeliveries: 0, deadLetters: 0, outstanding: 0 };
    let unpublished: Record<string, number> = {};
    const settleEnd = Date.now() + 180_000;
    for (;;) {
      unpublished = await unpublishedEvents(database);
      facts = await streamFacts(nats.monitorUrl!, database);
      failures = [];
      const waiting = Object.entries(unpublished).filter(([, n]) => n > 0);
      if (waiting.length) failures.push(`unpublished events: ${waiting.map(([s, n]) => `${s} ${n}`).join(', ')}`);
      if (facts.outstanding > 0) failures.push(`${facts.outstanding} events not yet delivered or acknowledged`);
      if (failures.length === 0) {
        for (const l of ledgers) failures.push(...(await checkPractice(client, admin, l, { from: started, to: Date.now() })).failures);
        failures.push(...(await checkMso(client, admin, period, feeRun, ledgers.map((l) => l.practice.id))));
      }
      if (failures.length === 0 || Date.now() > settleEnd) break;
      await sleep(2_000);
    }
    failures.push(...crashes);
    if (facts.deadLetters > 0) failures.push(`${facts.deadLetters} events in the dead-letter stream`);
    if (facts.redeliveries === 0) failures.push('no redelivery observed: the run did not exercise redelivery');
    if (kills.postgres === 0 || kills['nats-server'] === 0) failures.push('the run ended before PostgreSQL and nats-server were both restarted');
    const unsettled = ledgers.flatMap((l) => l.unsettled.map((u) => `${l.practice.tag} ${u.what}: ${u.outcome.kind}${'status' in u.outcome ? ` ${u.outcome.status} ${JSON.stringify(u.outcome.body).slice(0, 200)}` : ''}${'error' in u.outcome ? ` ${u.outcome.error}` : ''}`));
    if (ledgers.some((l) => l.unsettled.some((u) => u.outcome.kind === 'gave-up'))) failures.push('writes never settled within their retry budget (see unsettled)');
    const report: FaultRunReport = {
      seed: o.seed,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      counts: client.counts,
      kills,
      killsTotal: killsTotal(),
      redeliveries: facts.redeliveries,
      duplicatesSuppressed: client.counts.replayed + client.counts.tookEffectUnreplied + ledgers.reduce((s, l) => s + l.fileRepeats, 0),
      deadLetters: facts.deadLetters,
      unpublished: Object.values(unpublished).reduce((s, n) => s + n, 0),
      conflictsResent: ledgers.reduce((s, l) => s + l.conflictsResent, 0),
      claims: ledgers.reduce((s, l) => s + l.claims.size, 0),
      remittances: ledgers.reduce((s, l) => s + l.remittances.size, 0),
      payments: ledgers.reduce((s, l) => s + l.payments.length, 0),
      unsettled,
      failures,
      ok: failures.length === 0,
    };
    if (!report.ok) out(logTails(dir));
    return report;
  } finally {
    over = true;
    await Promise.all(copies.map((c) => c.kill()));
    await database?.close().catch(() => {});
    await Promise.race([platform?.close().catch(() => {}), sleep(15_000)]);
    for (const stop of stopServers.reverse()) await stop().catch(() => {});
    process.env.TEST_NATS_URL = savedEnv.nats;
    process.env.TEST_DATABASE_URL = savedEnv.db;
    if (savedEnv.nats === undefined) delete process.env.TEST_NATS_URL;
    if (savedEnv.db === undefined) delete process.env.TEST_DATABASE_URL;
    if (!process.env.FAULTS_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

/** The last lines of every process log of the run, for a failed run's report. */
function logTails(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}`)
    .join('\n');
}

/** The report's counts, as `pnpm test:faults` prints them. */
export function formatReport(r: FaultRunReport): string {
  const kinds = Object.entries(r.kills).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `fault run ${r.ok ? 'passed' : 'FAILED'} (seed ${r.seed}, ${r.elapsedSeconds} s)`,
    `  operations (writes, one effect each): ${r.counts.writes}; requests: ${r.counts.requests} (${r.counts.retries} retries; ${r.counts.timeouts} timed out or lost the connection; ${r.counts.unavailable} answered 5xx/429)`,
    `  kills: ${r.killsTotal} (${kinds})`,
    `  redeliveries: ${r.redeliveries}; duplicates suppressed: ${r.duplicatesSuppressed} (${r.counts.replayed} replayed keys, ${r.counts.tookEffectUnreplied} took effect before the reply was lost)`,
    `  claims ${r.claims}, remittances ${r.remittances}, patient payments ${r.payments}; imports sent again after a 409 conflict: ${r.conflictsResent}; outbox unpublished ${r.unpublished}; dead letters ${r.deadLetters}`,
    ...(r.unsettled.length ? [`  refused or unsettled writes (${r.unsettled.length}):`, ...r.unsettled.slice(0, 20).map((u) => `    ${u}`)] : []),
    ...(r.failures.length ? ['  failures:', ...r.failures.map((f) => `    ${f}`)] : []),
  ].join('\n');
}
