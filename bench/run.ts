/**
 * `pnpm bench`: the platform against hand-written baselines, on NATS + Postgres, and the X12 parser
 * against node-x12. Each HTTP scenario runs in its own server processes and is loaded by autocannon
 * from this process in BENCH_WINDOWS rounds (default 3) of one BENCH_WINDOW_SECONDS window (default 20 s) per
 * scenario; drift under sustained load shows as falling req/s from round to round.
 *
 *   (a)  bare Fastify hello-world
 *   (t1) hand-written Fastify → NATS request → responder
 *   (t2) the same, the responder reading one row by primary key from Postgres
 *   (b)  the platform: gateway → bus → service operation without DB      (GET /v1/helpdesk/info)
 *   (c)  the platform: gateway → bus → service → Postgres primary key   (GET /v1/tenancy/practices/{id})
 *   (t3) hand-written write: Fastify → NATS → responder → Postgres insert → JetStream publish (acked)
 *   (f)  the platform's write: gateway → bus → tenancy → insert + event in the outbox, one transaction;
 *        the relay publishes to JetStream after the commit       (POST /v1/tenancy/practices/{id}/locations),
 *        spread over BENCH_WRITE_PRACTICES practices (default 10); (f1) the same for one practice
 *   (e)  (c) in embedded mode: one process, in-memory bus, PGlite
 *   (g)  (c) with the gateway and tenancy in one process (`mso start`), still over NATS and Postgres
 * The platform runs with auth, validation, entitlements and tracing on (spans exported over OTLP to a
 * local sink). Then (c) again at half its top rate (BENCH_OPEN_LOOP_SHARE), open loop, in BENCH_WINDOWS windows of
 * BENCH_WINDOW_SECONDS each: p50/p99/p99.9 per window, so a step change over a long run shows.
 *
 * BENCH_COMPARE_NODE=/path/to/node runs (a), (t1), (t2), (b), (c) a second time on that Node binary
 * (own servers, NATS namespace and database), interleaved with the first in the same rounds, so two
 * Node versions are compared on the same machine state; its rows carry the suffix `@node<major>`.
 *
 * `billing` (bench/billing.ts) runs after the HTTP scenarios, in its own processes and database: a
 * 10,000-claim 837P imported and a 10,000-claim 835 posted through the gateway, timed by stage, and
 * finance booking the 835's events.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { isValidNpi } from '@mso/x12';
import { billingReport, runBillingBench, type BillingBenchResult } from './billing.js';
import { callsPerRequest, cpuSeconds, perRequestUs, syscalls } from './process-stats.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 3);
// The open-loop windows' rate as a share of (c)'s top rate: half by default (the target's), lower to
// see how the tail follows the machine's load (BENCH_OPEN_LOOP_SHARE=0.25).
const OPEN_LOOP_SHARE = Number(process.env.BENCH_OPEN_LOOP_SHARE ?? 0.5);
const OPEN_LOOP_RATE = OPEN_LOOP_SHARE === 0.5 ? 'half rate' : `${Math.round(OPEN_LOOP_SHARE * 100)} % of the top rate`;
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const ONLY = process.env.BENCH_ONLY?.split(',');
const ADMIN_KEY = 'mso_admin_bench_key';
const TRACE_RATIO = process.env.BENCH_TRACE_RATIO ?? '1';
const PRACTICE_NPI = '1234567893';
/** Practices (f) spreads its writes over. */
const WRITE_PRACTICES = Number(process.env.BENCH_WRITE_PRACTICES ?? 10);
/** The body of every write of (t3) and (f): one new location per request. */
const LOCATION = JSON.stringify({ name: 'Bench Clinic North', line1: '120 Harbor Rd', city: 'Columbus', state: 'OH', postalCode: '43215' });
const COMPARE_NODE = process.env.BENCH_COMPARE_NODE || undefined;
const PROFILE_DIR = process.env.BENCH_CPU_PROF || undefined;
const HEAP_PROFILE_DIR = process.env.BENCH_HEAP_PROF || undefined;

interface WindowResult {
  /** When the window ended (UTC) and the machine's 1-minute load average then: it is shared. */
  at: string;
  load: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The status codes seen, when some were not 2xx. */
  statuses?: string;
  /** Open-loop runs only. */
  p999?: number;
  /** Open-loop runs: the gateway's own event-loop delay p99 over the window (its `/metrics`), ms. */
  gatewayLoopP99?: number;
  /** CPU time (user + system) of the scenario's own server processes per request, µs. */
  cpuUs?: number;
  /** Read and write system calls of the same processes per request (socket reads and writes, mostly). */
  readsPerRequest?: number;
  writesPerRequest?: number;
}
interface ScenarioResult {
  id: string;
  title: string;
  windows: WindowResult[];
  rps: number;
  p50: number;
  p99: number;
  /** Open-loop runs: the worst window's p99.9. */
  p999?: number;
  /** Mean over windows of the servers' CPU per request, µs. */
  cpuUs?: number;
}

const children = new Set<ChildProcess>();
function launch(name: string, args: string[], env: Record<string, string>, node = process.execPath): Promise<ChildProcess> {
  // The baseline servers import only npm packages: Node runs them with its own type stripping (about
  // 40 % faster to start than through tsx). Platform code imports workspace sources by `.js`
  // specifiers, which only tsx maps to `.ts`. A Node older than 23 (BENCH_COMPARE_NODE) has no type
  // stripping by default, so it uses tsx for everything.
  const strips = args[0]!.startsWith('bench/servers/') && Number(nodeMajor(node)) >= 23;
  const loader = strips ? [] : ['--conditions=@mso/source', '--import', 'tsx'];
  // BENCH_CPU_PROF=<dir>: the platform's processes write a V8 CPU profile there when they stop.
  const profile = PROFILE_DIR && !strips && args[0] === 'apps/cli/src/main.ts' ? [`--cpu-prof`, `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name.replace(/\W/g, '_')}.cpuprofile`] : [];
  // BENCH_HEAP_PROF=<dir>: they write a sampling heap profile with the garbage kept (bench/heap-sample.mjs).
  const heapProfile = HEAP_PROFILE_DIR && !strips && args[0] === 'apps/cli/src/main.ts' ? ['--import', join(root, 'bench/heap-sample.mjs')] : [];
  // BENCH_NODE_FLAGS="--trace-gc ...": extra Node flags for the platform's processes (what blocks their loops).
  const flags = !strips && args[0] === 'apps/cli/src/main.ts' ? (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean) : [];
  const child = spawn(node, [...profile, ...heapProfile, ...flags, ...loader, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...(heapProfile.length ? { BENCH_HEAP_PROF_NAME: name.replace(/\W/g, '_') } : {}), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 120 s`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      // With BENCH_NODE_FLAGS, what the flags print (e.g. --trace-gc lines) goes to stderr, by process.
      if (flags.length) process.stderr.write(chunk.toString().replace(/^(?=.)/gm, `[${name}] `));
      out += chunk.toString();
      if (/ready|MSO Platform/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    });
  });
}

async function stopAll(): Promise<void> {
  const all = [...children];
  for (const c of all) c.kill('SIGTERM');
  await Promise.all(all.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
}

interface Target {
  id: string;
  title: string;
  url: string;
  headers: Record<string, string>;
  /** A write: POST with this JSON body (every request the same; each inserts a new row). */
  body?: string;
  /** Requests go round robin to these (a practice each), instead of `url` and `headers`. */
  rotate?: { url: string; headers: Record<string, string> }[];
  /** The scenario's own server processes (not NATS, PostgreSQL or the load generator), for CPU per request. */
  pids: number[];
}

/** The machine's state beside each figure: time of day (UTC) and 1-minute load average. */
const machine = () => ({ at: new Date().toISOString().slice(11, 19), load: Math.round(loadavg()[0]! * 10) / 10 });

function load(t: Target, seconds: number): Promise<WindowResult> {
  const write = t.body ? { method: 'POST' as const, body: t.body, headers: { ...t.headers, 'content-type': 'application/json' } } : { headers: t.headers };
  let next = 0;
  const rotate = t.rotate?.map((r) => ({ path: new URL(r.url).pathname, headers: { ...write.headers, ...r.headers } }));
  const spread = rotate ? { requests: [{ setupRequest: (req: object) => ({ ...req, ...rotate[next++ % rotate.length] }) }] } : {};
  const cpuBefore = cpuSeconds(t.pids);
  const callsBefore = syscalls(t.pids);
  return new Promise((resolve, reject) => {
    autocannon(
      // A 30 s request timeout (autocannon's default is 10 s): a stall is a latency to report, not a
      // broken scenario; errors then mean refused connections or resets.
      { url: t.url, connections: CONNECTIONS, duration: seconds, timeout: 30, ...write, ...spread },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          ...machine(),
          rps: Math.round(result.requests.average),
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          ...(result.non2xx ? { statuses: Object.keys(result.statusCodeStats ?? {}).join(', ') } : {}),
          cpuUs: perRequestUs(cpuBefore, cpuSeconds(t.pids), result.requests.total),
          ...callsPerRequest(callsBefore, syscalls(t.pids), result.requests.total),
        });
      },
    );
  });
}

function summarize(id: string, title: string, windows: WindowResult[]): ScenarioResult {
  const mean = (f: (w: WindowResult) => number) => Math.round((windows.reduce((sum, w) => sum + f(w), 0) / windows.length) * 10) / 10;
  const cpu = windows.every((w) => w.cpuUs !== undefined) ? { cpuUs: Math.round(mean((w) => w.cpuUs!)) } : {};
  return { id, title, windows, rps: Math.round(mean((w) => w.rps)), p50: mean((w) => w.p50), p99: mean((w) => w.p99), ...cpu };
}

/**
 * Open-loop load at a fixed rate: requests leave on a 2 ms schedule whether or not earlier ones have
 * answered, so latency includes any queueing the server causes (autocannon's rate limit sends each
 * second's quota in a burst, which measures the burst instead).
 */
async function openLoop(url: string, headers: Record<string, string>, rate: number, seconds: number): Promise<WindowResult> {
  // Plain node:http with keep-alive: far cheaper per request than fetch, so the client does not
  // steal the CPU the servers need on a 2-core machine.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let inflight = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      inflight++;
      const req = http.get({ host: target.hostname, port: target.port, path: target.pathname, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          latencies.push(performance.now() - t0);
          inflight--;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        inflight--;
        resolve();
      });
    });
  const started = performance.now();
  let sent = 0;
  const pending: Promise<void>[] = [];
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) pending.push(one());
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  agent.destroy();
  void inflight;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN) * 100) / 100;
  return { ...machine(), rps: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), p999: at(0.999), errors, non2xx };
}

/** prom-client's event-loop timer interval (its `eventLoopMonitoringPrecision`, left at the default). */
const LOOP_MONITOR_RESOLUTION_MS = 10;

/**
 * The gateway's event-loop delay p99 over the window, in ms: `mso_gateway_nodejs_eventloop_lag_p99_seconds`
 * less the monitor's resolution. Node's histogram records the whole interval between the monitor's
 * timer callbacks (an idle loop reads 10.1 ms), not only how late the callback came.
 */
async function loopLag(url: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const seconds = Number(/^mso_gateway_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1]);
  return Math.max(0, Math.round((seconds * 1e3 - LOOP_MONITOR_RESOLUTION_MS) * 100) / 100);
}

const wanted = (id: string) => !ONLY || ONLY.includes(id);

async function main(): Promise<void> {
  const results: ScenarioResult[] = [];
  const stamp = Date.now().toString(36);
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  const dataDir = mkdtempSync(join(tmpdir(), 'mso-bench-'));
  const runtimes = [{ suffix: '', node: process.execPath }];
  if (COMPARE_NODE) runtimes.push({ suffix: `@node${nodeMajor(COMPARE_NODE)}`, node: COMPARE_NODE });
  const databases: string[] = [];
  let port = 4100;
  const nextPort = () => String(port++);
  process.stdout.write(
    `MSO Platform benchmark: ${cpus().length} cores, ${WINDOWS} × ${WINDOW_SECONDS} s per scenario, ${CONNECTIONS} connections, ` +
      `tracing ${process.env.BENCH_TRACING === 'off' ? 'off' : `on (sampled ${Number(TRACE_RATIO) * 100} %)`}, ` +
      `Node ${runtimes.map((r) => `${nodeVersion(r.node)}${r.suffix ? ` (${r.suffix})` : ''}`).join(' and ')}\n`,
  );
  try {
    const sinkPort = nextPort();
    // Spans are exported over OTLP; BENCH_TRACE_RATIO sets the share of traces sampled (parent-based
    // ratio sampling, as production runs it), BENCH_TRACING=off exports none (to show what tracing costs).
    const otel: Record<string, string> =
      process.env.BENCH_TRACING === 'off'
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: '' }
        : {
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: TRACE_RATIO,
          };
    await launch('otlp sink', ['bench/servers/otlp-sink.ts'], { PORT: sinkPort });

    // Every server runs for the whole benchmark; the scenarios then take turns, one window each per
    // round. This machine's speed drifts by tens of percent within minutes (other tenants), so
    // interleaving is what makes the ratios between scenarios fair: each round sees the same machine.
    const targets: Target[] = [];
    const halves: { id: string; url: string; headers: Record<string, string>; metrics: string }[] = [];
    for (const { suffix, node } of runtimes) {
      const ns = `bench${stamp}${suffix.replace(/\W/g, '')}`;
      const dbName = `mso_bench_${stamp}${suffix.replace(/\W/g, '')}`;
      const DATABASE_URL = await createDatabase(admin, dbName);
      databases.push(dbName);
      // Baseline table for (t2): the same shape of row as a practice.
      const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
      await sql`create table bench_items (id uuid primary key, name text not null, npi text not null, state text not null, created_at timestamptz not null)`;
      await sql`insert into bench_items select gen_random_uuid(), 'Practice ' || i, '1234567893', 'OH', now() from generate_series(1, 1000) i`;
      // (t3) writes rows of the shape the platform's (f) writes (tenancy.locations: foreign key, index).
      await sql`create table bench_locations (id uuid primary key, practice_id uuid not null references bench_items (id), name text not null, line1 text not null,
                city text not null, state text not null, postal_code text not null, created_at timestamptz not null)`;
      await sql`create index bench_locations_practice on bench_locations (practice_id, created_at)`;
      const [item] = await sql`select id from bench_items limit 1`;
      await sql.end();

      if (wanted('a')) {
        const p = nextPort();
        const hello = await launch(`hello${suffix}`, ['bench/servers/hello.ts'], { PORT: p }, node);
        targets.push({ id: `a${suffix}`, title: 'bare Fastify hello-world', url: `http://127.0.0.1:${p}/`, headers: {}, pids: [hello.pid!] });
      }
      for (const [id, mode] of [['t1', 'static'], ['t2', 'pg'], ['t3', 'write']] as const) {
        if (!wanted(id)) continue;
        const p = nextPort();
        const subject = `${ns}.${id}`;
        const responder = await launch(`${id}${suffix} responder`, ['bench/servers/nats-responder.ts'], { NATS_URL, DATABASE_URL, BENCH_SUBJECT: subject, BENCH_MODE: mode }, node);
        const edge = await launch(`${id}${suffix} edge`, ['bench/servers/nats-edge.ts'], { NATS_URL, BENCH_SUBJECT: subject, PORT: p }, node);
        const title = { t1: 'hand-written Fastify → NATS → responder', t2: 'hand-written Fastify → NATS → responder → Postgres PK read', t3: 'hand-written Fastify → NATS → responder → Postgres insert → JetStream publish' }[id];
        targets.push({ id: `${id}${suffix}`, title, url: `http://127.0.0.1:${p}/item/${item!.id}`, headers: {}, pids: [edge.pid!, responder.pid!], ...(id === 't3' ? { body: LOCATION } : {}) });
      }
      if (wanted('b') || wanted('c') || wanted('f') || wanted('f1')) {
        const platformEnv = { NATS_URL, NATS_NAMESPACE: ns, DATABASE_URL, MSO_ADMIN_KEY: ADMIN_KEY, ...otel };
        const gatewayPort = nextPort();
        const tenancy = (await launch(`tenancy${suffix}`, ['apps/cli/src/main.ts', 'service', 'tenancy'], platformEnv, node)).pid!;
        const helpdesk = (await launch(`helpdesk${suffix}`, ['apps/cli/src/main.ts', 'service', 'helpdesk'], platformEnv, node)).pid!;
        const gateway = (await launch(`gateway${suffix}`, ['apps/cli/src/main.ts', 'gateway', '--port', gatewayPort], platformEnv, node)).pid!;
        const base = `http://127.0.0.1:${gatewayPort}`;
        const { practiceId, key } = await onboard(base);
        const auth = { authorization: `Bearer ${key}` };
        if (wanted('b')) targets.push({ id: `b${suffix}`, title: 'platform: gateway → bus → service (no DB)', url: `${base}/v1/helpdesk/info`, headers: auth, pids: [gateway, helpdesk] });
        if (wanted('c')) {
          targets.push({ id: `c${suffix}`, title: 'platform: gateway → bus → service → Postgres PK read', url: `${base}/v1/tenancy/practices/${practiceId}`, headers: auth, pids: [gateway, tenancy] });
          halves.push({ id: `c${suffix}`, url: `${base}/v1/tenancy/practices/${practiceId}`, headers: auth, metrics: `${base}/metrics` });
        }
        // (f) spreads its writes over several practices, as an MSO's traffic is; (f1) writes for one.
        // The outbox serialises emitting transactions per practice from the event's insert to the
        // commit (commit order is publish order, outbox.ts), which bounds one practice's write rate.
        const location = (p: { practiceId: string; key: string }) => ({ url: `${base}/v1/tenancy/practices/${p.practiceId}/locations`, headers: { authorization: `Bearer ${p.key}` } });
        const writers = [gateway, tenancy];
        if (wanted('f')) {
          const practices = [{ practiceId, key }];
          for (let i = 1; i < WRITE_PRACTICES; i++) practices.push(await onboard(base, npiOf(i)));
          const title = `platform write, ${WRITE_PRACTICES} practices: gateway → bus → service → insert + outbox event (relay → JetStream)`;
          targets.push({ id: `f${suffix}`, title, ...location(practices[0]!), body: LOCATION, rotate: practices.map(location), pids: writers });
        }
        if (wanted('f1')) targets.push({ id: `f1${suffix}`, title: 'platform write, one practice: as (f)', ...location({ practiceId, key }), body: LOCATION, pids: writers });
      }
      if (wanted('g')) {
        // (c) with the gateway and tenancy in one process (`mso start` on NATS and PostgreSQL): the
        // request still crosses NATS, and two fewer processes share the cores. Its own database and
        // namespace, so it shares nothing with the processes of (c).
        const oneDb = `${dbName}_one`;
        const oneUrl = await createDatabase(admin, oneDb);
        databases.push(oneDb);
        const p = nextPort();
        const env = { NATS_URL, NATS_NAMESPACE: `${ns}one`, DATABASE_URL: oneUrl, MSO_ADMIN_KEY: ADMIN_KEY, MSO_SERVICES: 'tenancy', PORT: p, MSO_DATA_DIR: join(dataDir, 'one'), ...otel };
        const one = await launch(`one process${suffix}`, ['apps/cli/src/main.ts', 'start'], env, node);
        const base = `http://127.0.0.1:${p}`;
        const { practiceId, key } = await onboard(base);
        targets.push({ id: `g${suffix}`, title: 'one process: (c) with the gateway and tenancy in one process, over NATS and Postgres', url: `${base}/v1/tenancy/practices/${practiceId}`, headers: { authorization: `Bearer ${key}` }, pids: [one.pid!] });
      }
    }
    if (wanted('e')) {
      const p = nextPort();
      const env: Record<string, string> = { MSO_DATA_DIR: join(dataDir, 'data'), MSO_ADMIN_KEY: ADMIN_KEY, PORT: p, ...otel, NATS_URL: '', DATABASE_URL: '' };
      const embedded = await launch('embedded', ['apps/cli/src/main.ts', 'start'], env);
      const base = `http://127.0.0.1:${p}`;
      const { practiceId, key } = await onboard(base);
      targets.push({ id: 'e', title: 'embedded: (c) in one process, in-memory bus, PGlite', url: `${base}/v1/tenancy/practices/${practiceId}`, headers: { authorization: `Bearer ${key}` }, pids: [embedded.pid!] });
    }

    for (const t of targets) await load(t, 3); // warm-up: JIT, connection pools, caches
    const windows = new Map<string, WindowResult[]>(targets.map((t) => [t.id, []]));
    for (let round = 1; round <= WINDOWS; round++) {
      for (const t of targets) {
        const w = await load(t, WINDOW_SECONDS);
        windows.get(t.id)!.push(w);
        process.stdout.write(`  ${t.id} window ${round}/${WINDOWS}: ${w.rps} req/s, p50 ${w.p50} ms, p99 ${w.p99} ms${w.cpuUs !== undefined ? `, server CPU ${w.cpuUs} µs/req` : ''}${w.writesPerRequest !== undefined ? `, syscalls/req ${w.readsPerRequest} read ${w.writesPerRequest} write` : ''}${w.non2xx || w.errors ? `, ${w.non2xx} non-2xx (${w.statuses}), ${w.errors} errors` : ''} (${w.at} UTC, load ${w.load})\n`);
        if (w.non2xx > 0 || w.errors > 0) throw new Error(`${t.id}: ${w.non2xx} non-2xx responses and ${w.errors} errors: the scenario is broken`);
      }
    }
    for (const t of targets) results.push(summarize(t.id, t.title, windows.get(t.id)!));
    for (const half of halves) {
      const c = results.find((r) => r.id === half.id);
      if (!c) continue;
      const rate = Math.round(c.rps * OPEN_LOOP_SHARE);
      // As many windows as each scenario had, back to back: the p99 of each shows a step change over
      // a long run (BENCH_WINDOWS=5 BENCH_WINDOW_SECONDS=60: five minutes at the same rate).
      const ws: WindowResult[] = [];
      // At the same offered rate, window by window in turn with (c): (t2), the tail this machine and
      // the load generator give a hand-written pipeline (to tell the platform's tail from theirs), and
      // (g), the platform in one process (the tail with two processes fewer on the path).
      const companions = [
        { id: half.id.replace(/^c/, 't2'), title: '(t2) at the same offered rate, windows in turn with (c)' },
        { id: half.id.replace(/^c/, 'g'), title: '(g) at the same offered rate, windows in turn with (c)' },
      ].flatMap((c) => {
        const target = targets.find((t) => t.id === c.id);
        return target ? [{ ...c, target, windows: [] as WindowResult[] }] : [];
      });
      for (let round = 1; round <= WINDOWS; round++) {
        await loopLag(half.metrics); // the histogram restarts at each scrape: this window's lag only
        const w = await openLoop(half.url, half.headers, rate, WINDOW_SECONDS);
        w.gatewayLoopP99 = await loopLag(half.metrics);
        ws.push(w);
        process.stdout.write(`  ${half.id} at ${OPEN_LOOP_RATE} (${rate} req/s) window ${round}/${WINDOWS}: p50 ${w.p50} ms, p99 ${w.p99} ms, p99.9 ${w.p999} ms, gateway event-loop delay p99 ${w.gatewayLoopP99} ms (${w.at} UTC, load ${w.load})\n`);
        for (const c of companions) {
          const b = await openLoop(c.target.url, c.target.headers, rate, WINDOW_SECONDS);
          c.windows.push(b);
          process.stdout.write(`  ${c.id} at (c)'s ${OPEN_LOOP_RATE} (${rate} req/s) window ${round}/${WINDOWS}: p50 ${b.p50} ms, p99 ${b.p99} ms, p99.9 ${b.p999} ms (${b.at} UTC, load ${b.load})\n`);
        }
      }
      const per = (list: WindowResult[], f: (w: WindowResult) => number | undefined) => list.map(f).join(' → ');
      const title = `(c) at ${OPEN_LOOP_RATE} (${rate} req/s offered; p99 per window ${per(ws, (w) => w.p99)} ms; p99.9 ${per(ws, (w) => w.p999)} ms; gateway event-loop delay p99 ${per(ws, (w) => w.gatewayLoopP99)} ms)`;
      results.push({ ...summarize(half.id.replace(/^c/, 'c-half'), title, ws), p999: Math.max(...ws.map((w) => w.p999 ?? 0)) });
      for (const c of companions) {
        const ctitle = `${c.title} (p99 per window ${per(c.windows, (w) => w.p99)} ms; p99.9 ${per(c.windows, (w) => w.p999)} ms)`;
        results.push({ ...summarize(c.id.replace(/^(t2|g)/, '$1-half'), ctitle, c.windows), p999: Math.max(...c.windows.map((w) => w.p999 ?? 0)) });
      }
    }
  } finally {
    await stopAll();
    for (const db of databases) await admin.unsafe(`drop database if exists ${db} with (force)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const billing = wanted('billing') ? await billingScenario(stamp) : undefined;

  let x12: Record<string, unknown> | undefined;
  if (wanted('x12')) {
    const x12Bench = '../packages/x12/bench/x12.bench.ts';
    const { runX12Bench } = (await import(x12Bench)) as { runX12Bench: () => Promise<Record<string, unknown>> };
    x12 = await runX12Bench();
  }
  report(results, x12, runtimes.map((r) => r.suffix), billing);
}

/** Creates database `name` on the bench's server and returns its connection URL. */
async function createDatabase(admin: postgres.Sql, name: string): Promise<string> {
  await admin.unsafe(`create database ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The billing scenario in its own database, NATS namespace and processes (stopped at its end). */
async function billingScenario(stamp: string): Promise<BillingBenchResult> {
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  const dbName = `mso_bench_${stamp}_billing`;
  const dbUrl = await createDatabase(admin, dbName);
  let port = 4300;
  const nextPort = () => String(port++);
  try {
    let otel: Record<string, string> = { OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    if (process.env.BENCH_TRACING !== 'off') {
      const sinkPort = nextPort();
      await launch('billing otlp sink', ['bench/servers/otlp-sink.ts'], { PORT: sinkPort });
      otel = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: TRACE_RATIO };
    }
    const env = { NATS_URL, NATS_NAMESPACE: `bench${stamp}billing`, DATABASE_URL: dbUrl, MSO_ADMIN_KEY: ADMIN_KEY, ...otel };
    return await runBillingBench({ launch: (name, args, e) => launch(name, args, e), nextPort, env, adminKey: ADMIN_KEY, databaseUrl: dbUrl });
  } finally {
    await stopAll();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

const versions = new Map<string, string>();
function nodeVersion(node: string): string {
  let v = versions.get(node);
  if (!v) versions.set(node, (v = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()));
  return v;
}

function nodeMajor(node: string): string {
  return nodeVersion(node).replace(/^v/, '').split('.')[0]!;
}

/** The `i`-th organisation NPI with a valid check digit (one NPI per practice). */
function npiOf(i: number): string {
  const base = String(200_000_000 + i);
  for (let check = 0; check <= 9; check++) if (isValidNpi(`${base}${check}`)) return `${base}${check}`;
  throw new Error('unreachable: one check digit always fits');
}

async function onboard(base: string, npi = PRACTICE_NPI): Promise<{ practiceId: string; key: string }> {
  const post = async (path: string, body: unknown) => {
    const send = () =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    let res = await send();
    // A gateway that just started on a loaded machine may shed its first requests (503, Retry-After).
    for (let tries = 0; res.status === 503 && tries < 30; tries++) {
      await new Promise((r) => setTimeout(r, 1000));
      res = await send();
    }
    const json = (await res.json()) as Record<string, string>;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const practice = await post('/v1/tenancy/practices', {
    name: 'Bench Family Medicine',
    npi,
    taxId: '12-3456789',
    state: 'OH',
    agreement: { model: 'third-party', services: ['helpdesk', 'billing'] },
  });
  const key = await post(`/v1/tenancy/practices/${practice.id}/api-keys`, { role: 'practice-admin', label: 'bench' });
  return { practiceId: practice.id!, key: key.key! };
}

function report(results: ScenarioResult[], x12: Record<string, unknown> | undefined, suffixes: string[], billing?: BillingBenchResult): void {
  const by = Object.fromEntries(results.map((r) => [r.id, r]));
  const pct = (x?: ScenarioResult, y?: ScenarioResult) => (x && y ? `${Math.round((x.rps / y.rps) * 100)} %` : 'n/a');
  // The CPU of the hand-written pipeline's processes per request as a share of the platform's: the
  // same kind of figure as the throughput ratio, but far less moved by the machine's swings.
  const cpuPct = (x?: ScenarioResult, y?: ScenarioResult) => (x?.cpuUs && y?.cpuUs ? `${Math.round((x.cpuUs / y.cpuUs) * 100)} % (${x.cpuUs} / ${y.cpuUs} µs)` : 'n/a');
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | req/s per window | vs (a) |`,
    `|---|---|---|---|---|---|---|`,
    ...results.map((r) => {
      const suffix = suffixes.find((x) => x && r.id.endsWith(x)) ?? '';
      return `| (${r.id}) ${r.title} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.cpuUs ?? ''} | ${r.windows.map((w) => w.rps).join(' → ')} | ${/^(c|t2|g)-half/.test(r.id) ? '' : pct(r, by[`a${suffix}`])} |`;
    }),
    '',
    `| ratio | ${suffixes.map((x) => `measured${x}`).join(' | ')} | target |`,
    `|---|${suffixes.map(() => '---|').join('')}---|`,
    `| (b) / (t1) | ${suffixes.map((x) => pct(by[`b${x}`], by[`t1${x}`])).join(' | ')} | ≥ 85 % |`,
    `| server CPU per request, (t1) / (b) | ${suffixes.map((x) => cpuPct(by[`t1${x}`], by[`b${x}`])).join(' | ')} | |`,
    `| (c) / (t2) | ${suffixes.map((x) => pct(by[`c${x}`], by[`t2${x}`])).join(' | ')} | ≥ 85 % |`,
    `| server CPU per request, (t2) / (c) | ${suffixes.map((x) => cpuPct(by[`t2${x}`], by[`c${x}`])).join(' | ')} | |`,
    `| (f) / (t3) | ${suffixes.map((x) => pct(by[`f${x}`], by[`t3${x}`])).join(' | ')} | ≥ 75 % |`,
    `| server CPU per request, (t3) / (f) | ${suffixes.map((x) => cpuPct(by[`t3${x}`], by[`f${x}`])).join(' | ')} | |`,
    `| (f1) / (t3) | ${suffixes.map((x) => pct(by[`f1${x}`], by[`t3${x}`])).join(' | ')} | |`,
    `| (c) / (a) | ${suffixes.map((x) => pct(by[`c${x}`], by[`a${x}`])).join(' | ')} | ≥ 15 % |`,
    `| p99 of (c) at half its top rate (mean of windows; worst window) | ${suffixes.map((x) => (by[`c-half${x}`] ? `${by[`c-half${x}`]!.p99} ms; ${Math.max(...by[`c-half${x}`]!.windows.map((w) => w.p99))} ms` : 'n/a')).join(' | ')} | ≤ 10 ms |`,
    `| p99.9 of (c) at half its top rate (worst window) | ${suffixes.map((x) => (by[`c-half${x}`] ? `${by[`c-half${x}`]!.p999} ms` : 'n/a')).join(' | ')} | reported |`,
    `| p99 / p99.9 of (t2) at the same rate (mean of windows; worst window) | ${suffixes.map((x) => (by[`t2-half${x}`] ? `${by[`t2-half${x}`]!.p99} ms / ${by[`t2-half${x}`]!.p999} ms` : 'n/a')).join(' | ')} | baseline |`,
    `| (g) / (t2) | ${suffixes.map((x) => pct(by[`g${x}`], by[`t2${x}`])).join(' | ')} | |`,
    `| server CPU per request, (t2) / (g) | ${suffixes.map((x) => cpuPct(by[`t2${x}`], by[`g${x}`])).join(' | ')} | |`,
    `| p99 / p99.9 of (g) at (c)'s half rate (mean of windows; worst window) | ${suffixes.map((x) => (by[`g-half${x}`] ? `${by[`g-half${x}`]!.p99} ms / ${by[`g-half${x}`]!.p999} ms` : 'n/a')).join(' | ')} | |`,
  ];
  // The machine is shared: when each round ended and the load average then, beside the figures.
  const rounds = results[0]?.windows.map((w, i) => `round ${i + 1} ended ${w.at} UTC, load ${w.load}`) ?? [];
  if (rounds.length) lines.push('', `Machine: ${rounds.join('; ')}.`);
  if (results.length === 0) lines.length = 0; // only billing or x12 ran
  if (billing) lines.push(...(lines.length ? [''] : []), billingReport(billing));
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  if (x12) process.stdout.write(`\nX12: ${JSON.stringify(x12)}\n`);
  const out = join(root, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const stamp = new Date().toISOString();
  writeFileSync(join(out, 'latest.json'), JSON.stringify({ at: stamp, cores: cpus().length, loadavg: loadavg(), windows: WINDOWS, windowSeconds: WINDOW_SECONDS, connections: CONNECTIONS, results, x12, billing }, null, 2));
  writeFileSync(join(out, 'latest.md'), `${text}\n`);
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
await main();
