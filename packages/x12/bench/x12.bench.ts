/**
 * Parses a generated 10,000-claim 835 (~1.6 MB) with @mso/x12 and with node-x12 (strict) and
 * reports median/p95 parse time and the heap retained by the result.
 *
 *   node --expose-gc --conditions=@mso/source --import tsx packages/x12/bench/x12.bench.ts [--json]
 *
 * Method: both libraries are warmed up, then parsed RUNS times each, in alternating blocks of BLOCK
 * runs (so that load from other processes affects both alike); each block starts with one untimed
 * parse that brings the heap back to that library's working size. Before every timed parse a full
 * GC runs, followed by a short pause for the concurrent sweeper, outside the timing: a run does not
 * pay for the garbage of the previous one.
 * Retained heap = heapUsed after GC with the result kept alive − heapUsed after GC before parsing
 * (median of 3 measurements).
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
const BLOCK = 5;
const CLAIMS = 10_000;

function getGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const pause = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? NaN;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

interface LibraryFigures {
  /** Wall-clock parse time. */
  medianMs: number;
  p95Ms: number;
  minMs: number;
  /** Process CPU time of one parse (all threads, GC helpers included). */
  medianCpuMs: number;
  retainedHeapMB: number;
}

interface Library {
  name: string;
  parse: () => unknown;
  times: number[];
  cpu: number[];
}

async function timeOnce(lib: Library, gc: () => void): Promise<void> {
  gc();
  await pause(10);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = lib.parse();
  lib.times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  lib.cpu.push((c.user + c.system) / 1000);
  if (result === undefined) throw new Error(`${lib.name} returned nothing`);
}

async function retainedMB(parse: () => unknown, gc: () => void): Promise<number> {
  const samples: number[] = [];
  // The parsed result lives here and is dropped before the next baseline: a block-scoped `const`
  // can stay alive in the async function's context, and the next baseline would then count it.
  const held: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    gc();
    gc();
    await pause(20);
    gc();
    const base = process.memoryUsage().heapUsed;
    held.push(parse());
    gc();
    gc();
    await pause(20);
    gc();
    samples.push(process.memoryUsage().heapUsed - base);
    if (held[0] === undefined) throw new Error('parse returned nothing');
    held.length = 0;
  }
  samples.sort((a, b) => a - b);
  return round((samples[1] ?? NaN) / 1024 / 1024);
}

function figures(lib: Library, heap: number): LibraryFigures {
  const times = [...lib.times].sort((a, b) => a - b);
  const cpu = [...lib.cpu].sort((a, b) => a - b);
  return {
    medianMs: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    minMs: round(times[0] ?? NaN),
    medianCpuMs: round(percentile(cpu, 50)),
    retainedHeapMB: heap,
  };
}

function checkRead(text: string): void {
  const check = parse835(text);
  if (check.remittances[0]?.claims.length !== CLAIMS || check.warnings.length > 0) throw new Error('@mso/x12 did not read the generated file');
}

/** Runs the benchmark and returns its figures (used by the root `pnpm bench`). */
export async function runX12Bench(): Promise<Record<string, unknown>> {
  const gc = getGc();
  const file = generate835(CLAIMS);
  checkRead(file.text); // in its own function: the result must not stay alive during the timings
  const ours: Library = { name: '@mso/x12', parse: () => parse835(file.text), times: [], cpu: [] };
  const theirs: Library = { name: 'node-x12 (strict)', parse: () => new X12Parser(true).parse(file.text), times: [], cpu: [] };
  const load0 = loadavg()[0] ?? NaN;
  for (let i = 0; i < WARMUP; i++) {
    ours.parse();
    theirs.parse();
  }
  for (let block = 0; block < RUNS / BLOCK; block++) {
    for (const lib of [ours, theirs]) {
      lib.parse(); // untimed: brings the heap back to this library's working size
      for (let i = 0; i < BLOCK; i++) await timeOnce(lib, gc);
    }
  }
  const x12 = figures(ours, await retainedMB(ours.parse, gc));
  const nodeX12 = figures(theirs, await retainedMB(theirs.parse, gc));
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
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadavgAtStart: round(load0),
      loadavgAtEnd: round(loadavg()[0] ?? NaN),
    },
  };
}

function printTable(r: Record<string, unknown>): void {
  const head = ['library', 'median ms', 'p95 ms', 'min ms', 'CPU ms (median)', 'retained heap MB'];
  const rows = ['@mso/x12', 'node-x12 (strict)'].map((name) => {
    const f = r[name] as LibraryFigures;
    return [name, f.medianMs, f.p95Ms, f.minMs, f.medianCpuMs, f.retainedHeapMB].map(String);
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const m = r.machine as { cpus: number; node: string; loadavgAtStart: number; loadavgAtEnd: number };
  console.log(`835 with ${String(r.claims)} claims, ${(Number(r.bytes) / 1e6).toFixed(2)} MB, ${String(r.runs)} runs each after ${String(r.warmup)} warm-up runs`);
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(
    `speed-up ${String(r.speedup)}× (median), retained heap ${String(r.heapRatio)}× smaller — ${m.cpus} CPUs, Node ${m.node}, load average ${m.loadavgAtStart} → ${m.loadavgAtEnd}`,
  );
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invoked) {
  const r = await runX12Bench();
  printTable(r);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
}
