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
 *   (e)  (c) in embedded mode: one process, in-memory bus, PGlite
 * The platform runs with auth, validation, entitlements and tracing on (spans exported over OTLP to a
 * local sink). Then (c) again at half its top rate, for p99 at a realistic load.
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
import { billingReport, runBillingBench, type BillingBenchResult } from './billing.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 3);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const ONLY = process.env.BENCH_ONLY?.split(',');
const ADMIN_KEY = 'mso_admin_bench_key';
const TRACE_RATIO = process.env.BENCH_TRACE_RATIO ?? '1';
const PRACTICE_NPI = '1234567893';
const COMPARE_NODE = process.env.BENCH_COMPARE_NODE || undefined;
const PROFILE_DIR = process.env.BENCH_CPU_PROF || undefined;

interface WindowResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Open-loop runs only. */
  p999?: number;
}
interface ScenarioResult {
  id: string;
  title: string;
  windows: WindowResult[];
  rps: number;
  p50: number;
  p99: number;
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
  const child = spawn(node, [...profile, ...loader, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 120 s`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
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

function load(url: string, headers: Record<string, string>, seconds: number, overallRate?: number): Promise<WindowResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      // A 30 s request timeout (autocannon's default is 10 s): a stall is a latency to report, not a
      // broken scenario; errors then mean refused connections or resets.
      { url, connections: CONNECTIONS, duration: seconds, timeout: 30, headers, ...(overallRate ? { overallRate } : {}) },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          rps: Math.round(result.requests.average),
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
  });
}

function summarize(id: string, title: string, windows: WindowResult[]): ScenarioResult {
  const mean = (f: (w: WindowResult) => number) => Math.round((windows.reduce((sum, w) => sum + f(w), 0) / windows.length) * 10) / 10;
  return { id, title, windows, rps: Math.round(mean((w) => w.rps)), p50: mean((w) => w.p50), p99: mean((w) => w.p99) };
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
  return { rps: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), p999: at(0.999), errors, non2xx };
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
    const targets: { id: string; title: string; url: string; headers: Record<string, string> }[] = [];
    const halves: { id: string; url: string; headers: Record<string, string> }[] = [];
    for (const { suffix, node } of runtimes) {
      const ns = `bench${stamp}${suffix.replace(/\W/g, '')}`;
      const dbName = `mso_bench_${stamp}${suffix.replace(/\W/g, '')}`;
      await admin.unsafe(`create database ${dbName}`);
      databases.push(dbName);
      const dbUrl = new URL(SERVER_URL);
      dbUrl.pathname = `/${dbName}`;
      const DATABASE_URL = dbUrl.toString();
      // Baseline table for (t2): the same shape of row as a practice.
      const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
      await sql`create table bench_items (id uuid primary key, name text not null, npi text not null, state text not null, created_at timestamptz not null)`;
      await sql`insert into bench_items select gen_random_uuid(), 'Practice ' || i, '1234567893', 'OH', now() from generate_series(1, 1000) i`;
      const [item] = await sql`select id from bench_items limit 1`;
      await sql.end();

      if (wanted('a')) {
        const p = nextPort();
        await launch(`hello${suffix}`, ['bench/servers/hello.ts'], { PORT: p }, node);
        targets.push({ id: `a${suffix}`, title: 'bare Fastify hello-world', url: `http://127.0.0.1:${p}/`, headers: {} });
      }
      for (const [id, mode] of [['t1', 'static'], ['t2', 'pg']] as const) {
        if (!wanted(id)) continue;
        const p = nextPort();
        const subject = `${ns}.${id}`;
        await launch(`${id}${suffix} responder`, ['bench/servers/nats-responder.ts'], { NATS_URL, DATABASE_URL, BENCH_SUBJECT: subject, BENCH_MODE: mode }, node);
        await launch(`${id}${suffix} edge`, ['bench/servers/nats-edge.ts'], { NATS_URL, BENCH_SUBJECT: subject, PORT: p }, node);
        const title = id === 't1' ? 'hand-written Fastify → NATS → responder' : 'hand-written Fastify → NATS → responder → Postgres PK read';
        targets.push({ id: `${id}${suffix}`, title, url: `http://127.0.0.1:${p}/item/${item!.id}`, headers: {} });
      }
      if (wanted('b') || wanted('c')) {
        const platformEnv = { NATS_URL, NATS_NAMESPACE: ns, DATABASE_URL, MSO_ADMIN_KEY: ADMIN_KEY, ...otel };
        const gatewayPort = nextPort();
        await launch(`tenancy${suffix}`, ['apps/cli/src/main.ts', 'service', 'tenancy'], platformEnv, node);
        await launch(`helpdesk${suffix}`, ['apps/cli/src/main.ts', 'service', 'helpdesk'], platformEnv, node);
        await launch(`gateway${suffix}`, ['apps/cli/src/main.ts', 'gateway', '--port', gatewayPort], platformEnv, node);
        const base = `http://127.0.0.1:${gatewayPort}`;
        const { practiceId, key } = await onboard(base);
        const auth = { authorization: `Bearer ${key}` };
        if (wanted('b')) targets.push({ id: `b${suffix}`, title: 'platform: gateway → bus → service (no DB)', url: `${base}/v1/helpdesk/info`, headers: auth });
        if (wanted('c')) {
          targets.push({ id: `c${suffix}`, title: 'platform: gateway → bus → service → Postgres PK read', url: `${base}/v1/tenancy/practices/${practiceId}`, headers: auth });
          halves.push({ id: `c${suffix}`, url: `${base}/v1/tenancy/practices/${practiceId}`, headers: auth });
        }
      }
    }
    if (wanted('e')) {
      const p = nextPort();
      const env: Record<string, string> = { MSO_DATA_DIR: join(dataDir, 'data'), MSO_ADMIN_KEY: ADMIN_KEY, PORT: p, ...otel, NATS_URL: '', DATABASE_URL: '' };
      await launch('embedded', ['apps/cli/src/main.ts', 'start'], env);
      const base = `http://127.0.0.1:${p}`;
      const { practiceId, key } = await onboard(base);
      targets.push({ id: 'e', title: 'embedded: (c) in one process, in-memory bus, PGlite', url: `${base}/v1/tenancy/practices/${practiceId}`, headers: { authorization: `Bearer ${key}` } });
    }

    for (const t of targets) await load(t.url, t.headers, 3); // warm-up: JIT, connection pools, caches
    const windows = new Map<string, WindowResult[]>(targets.map((t) => [t.id, []]));
    for (let round = 1; round <= WINDOWS; round++) {
      for (const t of targets) {
        const w = await load(t.url, t.headers, WINDOW_SECONDS);
        windows.get(t.id)!.push(w);
        process.stdout.write(`  ${t.id} window ${round}/${WINDOWS}: ${w.rps} req/s, p50 ${w.p50} ms, p99 ${w.p99} ms${w.non2xx || w.errors ? `, ${w.non2xx} non-2xx, ${w.errors} errors` : ''}\n`);
        if (w.non2xx > 0 || w.errors > 0) throw new Error(`${t.id}: ${w.non2xx} non-2xx responses and ${w.errors} errors: the scenario is broken`);
      }
    }
    for (const t of targets) results.push(summarize(t.id, t.title, windows.get(t.id)!));
    for (const half of halves) {
      const c = results.find((r) => r.id === half.id);
      if (!c) continue;
      const rate = Math.round(c.rps / 2);
      const w = await openLoop(half.url, half.headers, rate, WINDOW_SECONDS);
      process.stdout.write(`  ${half.id} at half rate (${rate} req/s): p50 ${w.p50} ms, p99 ${w.p99} ms, p99.9 ${w.p999} ms\n`);
      results.push({ id: half.id.replace(/^c/, 'c-half'), title: `(c) at half its top rate (${rate} req/s offered; p99.9 ${w.p999} ms)`, windows: [w], rps: w.rps, p50: w.p50, p99: w.p99 });
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

/** The billing scenario in its own database, NATS namespace and processes (stopped at its end). */
async function billingScenario(stamp: string): Promise<BillingBenchResult> {
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  const dbName = `mso_bench_${stamp}_billing`;
  await admin.unsafe(`create database ${dbName}`);
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${dbName}`;
  let port = 4300;
  const nextPort = () => String(port++);
  try {
    let otel: Record<string, string> = { OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    if (process.env.BENCH_TRACING !== 'off') {
      const sinkPort = nextPort();
      await launch('billing otlp sink', ['bench/servers/otlp-sink.ts'], { PORT: sinkPort });
      otel = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: TRACE_RATIO };
    }
    const env = { NATS_URL, NATS_NAMESPACE: `bench${stamp}billing`, DATABASE_URL: dbUrl.toString(), MSO_ADMIN_KEY: ADMIN_KEY, ...otel };
    return await runBillingBench({ launch: (name, args, e) => launch(name, args, e), nextPort, env, adminKey: ADMIN_KEY, databaseUrl: dbUrl.toString() });
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

async function onboard(base: string): Promise<{ practiceId: string; key: string }> {
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
    npi: PRACTICE_NPI,
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
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | req/s per window | vs (a) |`,
    `|---|---|---|---|---|---|`,
    ...results.map((r) => {
      const suffix = suffixes.find((x) => x && r.id.endsWith(x)) ?? '';
      return `| (${r.id}) ${r.title} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.windows.map((w) => w.rps).join(' → ')} | ${r.id.startsWith('c-half') ? '' : pct(r, by[`a${suffix}`])} |`;
    }),
    '',
    `| ratio | ${suffixes.map((x) => `measured${x}`).join(' | ')} | target |`,
    `|---|${suffixes.map(() => '---|').join('')}---|`,
    `| (b) / (t1) | ${suffixes.map((x) => pct(by[`b${x}`], by[`t1${x}`])).join(' | ')} | ≥ 85 % |`,
    `| (c) / (t2) | ${suffixes.map((x) => pct(by[`c${x}`], by[`t2${x}`])).join(' | ')} | ≥ 85 % |`,
    `| (c) / (a) | ${suffixes.map((x) => pct(by[`c${x}`], by[`a${x}`])).join(' | ')} | ≥ 15 % |`,
    `| p99 of (c) at half its top rate | ${suffixes.map((x) => (by[`c-half${x}`] ? `${by[`c-half${x}`]!.p99} ms` : 'n/a')).join(' | ')} | ≤ 10 ms |`,
  ];
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
