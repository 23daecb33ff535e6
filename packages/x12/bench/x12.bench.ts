/**
 * Parses a generated 10,000-claim 835 (~1.6 MB) with @mso/x12 and with node-x12 (strict) and
 * reports median/p95 parse time and the heap retained by the result.
 *
 *   node --expose-gc --conditions=@mso/source --import tsx packages/x12/bench/x12.bench.ts
 *
 * Method: each library is warmed up, then parsed RUNS times; a full GC runs before every timed
 * parse (outside the timing) so that one run does not pay for the garbage of the previous one.
 * Retained heap = heapUsed after GC with the result kept alive − heapUsed after GC before parsing.
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { X12Parser } from 'node-x12';
import { parse835 } from '../src/index.js';
import { generate835 } from '../src/testing/generate835.js';

const WARMUP = 5;
const RUNS = 30;
const CLAIMS = 10_000;

function getGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? NaN;
}

interface LibraryFigures {
  /** Wall-clock parse time. */
  medianMs: number;
  p95Ms: number;
  minMs: number;
  /** Process CPU time (all threads, GC helpers included) of one parse: less sensitive to other load. */
  medianCpuMs: number;
  retainedHeapMB: number;
}

function measure(parse: () => unknown, gc: () => void): LibraryFigures {
  for (let i = 0; i < WARMUP; i++) parse();
  const times: number[] = [];
  const cpu: number[] = [];
  let keep: unknown;
  for (let i = 0; i < RUNS; i++) {
    keep = undefined;
    gc();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    keep = parse();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  keep = undefined;
  gc();
  gc();
  const base = process.memoryUsage().heapUsed;
  keep = parse();
  gc();
  gc();
  const retained = process.memoryUsage().heapUsed - base;
  if (keep === undefined) throw new Error('parse returned nothing');
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    medianMs: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    minMs: round(times[0] ?? NaN),
    medianCpuMs: round(percentile(cpu, 50)),
    retainedHeapMB: round(retained / 1024 / 1024),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Runs the benchmark and returns its figures (used by the root `pnpm bench`). */
export async function runX12Bench(): Promise<Record<string, unknown>> {
  const gc = getGc();
  const file = generate835(CLAIMS);
  // sanity: both libraries read the same file
  const ours = parse835(file.text);
  if (ours.remittances[0]?.claims.length !== CLAIMS || ours.warnings.length > 0) throw new Error('@mso/x12 did not read the generated file');
  new X12Parser(true).parse(file.text);

  const x12 = measure(() => parse835(file.text), gc);
  const nodeX12 = measure(() => new X12Parser(true).parse(file.text), gc);
  return {
    name: 'x12-835-parse',
    claims: CLAIMS,
    bytes: file.text.length,
    runs: RUNS,
    warmup: WARMUP,
    '@mso/x12': x12,
    'node-x12 (strict)': nodeX12,
    speedup: round(nodeX12.medianMs / x12.medianMs),
    heapRatio: round(nodeX12.retainedHeapMB / x12.retainedHeapMB),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg: loadavg().map(round) },
  };
}

function printTable(r: Record<string, unknown>): void {
  const rows = ['@mso/x12', 'node-x12 (strict)'].map((name) => {
    const f = r[name] as LibraryFigures;
    return `| ${name.padEnd(18)} | ${String(f.medianMs).padStart(9)} | ${String(f.p95Ms).padStart(8)} | ${String(f.minMs).padStart(8)} | ${String(f.medianCpuMs).padStart(13)} | ${String(f.retainedHeapMB).padStart(11)} |`;
  });
  const m = r.machine as { cpus: number; node: string; loadavg: number[] };
  console.log(`835 with ${String(r.claims)} claims, ${(Number(r.bytes) / 1e6).toFixed(2)} MB, ${String(r.runs)} runs after ${String(r.warmup)} warm-up runs`);
  console.log('| library            | median ms |   p95 ms |   min ms | median CPU ms | retained MB |');
  console.log('|--------------------|----------:|---------:|---------:|--------------:|------------:|');
  for (const row of rows) console.log(row);
  console.log(`speed-up ${String(r.speedup)}×, heap ratio ${String(r.heapRatio)}× — ${m.cpus} CPUs, Node ${m.node}, load average ${m.loadavg.join(' ')}`);
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invoked) {
  const r = await runX12Bench();
  printTable(r);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
}
