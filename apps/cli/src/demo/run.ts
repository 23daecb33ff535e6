// `mso demo`: starts the platform (embedded, or NATS + PostgreSQL when NATS_URL/DATABASE_URL are set)
// on a clock the demo owns, and drives an MSO's month through the public HTTP API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform, type Platform } from '@mso/gateway';
import { ManualClock } from '@mso/kit';
import { createLogger } from '@mso/telemetry';
import { allServices } from '../services.js';
import { Api } from './client.js';
import { MONTH, day, type DemoContext, type DemoPractice, type PracticeKey } from './context.js';
import { setup } from './setup.js';
import { hrStage } from './hr.js';
import { billingStage } from './billing.js';
import { collectionsStage } from './collections.js';
import { helpdeskStage } from './helpdesk.js';
import { monthEnd } from './month-end.js';
import { readSummary, printSummary, type DemoSummary } from './summary.js';
import { writeReport } from './report.js';

export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  /** Gateway port; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Close the platform when done (else it keeps serving). */
  exit?: boolean;
  /** Where the report and summary go. */
  outDir?: string;
  adminKey: string;
  /** Where progress and the summary are written. */
  out?: (text: string) => void;
  logLevel?: string;
}

export interface DemoResult {
  summary: DemoSummary;
  ctx: DemoContext;
  baseUrl: string;
  reportFile: string;
  elapsedMs: number;
  platform: Platform | undefined;
}

/** Runs the month; the platform is left running unless `exit`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const env = options.env ?? process.env;
  const logger = createLogger({ name: 'mso-demo', level: options.logLevel ?? env.LOG_LEVEL ?? 'warn' });
  // The demo's own clock: services read "now" from it, the demo moves it a day at a time. Only this
  // command creates it; `mso start` and production run on the system clock.
  const clock = new ManualClock(`${day(1)}T13:00:00Z`);
  const platform = await startPlatform({ services: allServices, env, adminKey: options.adminKey, clock, logger });
  let closed = false;
  try {
    const port = options.port ?? Number(env.PORT ?? 3000);
    const address = await platform.app.listen({ port, host: options.host ?? env.HOST ?? '127.0.0.1' });
    const baseUrl = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    const mode = env.NATS_URL ? 'NATS + PostgreSQL' : 'embedded (in-memory bus, PGlite)';
    out(`  MSO demo on ${baseUrl} (${mode}), platform up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const admin = new Api(baseUrl, options.adminKey);
    const t0 = Date.now();
    const timeline = new Map<string, (() => Promise<void>)[]>();
    const ctx: DemoContext = {
      admin,
      clock,
      runDueJobs: () => platform.runtime.host.runDueJobs(),
      on: (date, work) => {
        if (!timeline.has(date)) timeline.set(date, []);
        timeline.get(date)!.push(work);
      },
      practices: {} as Record<PracticeKey, DemoPractice>,
      facts: { paymentsByWeek: [], denialReasons: {}, notes: [] },
      progress: (line) => out(`  [${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`),
      state: {},
    };
    // Each stage schedules its work on the days of the month; then the month runs.
    setup(ctx);
    hrStage(ctx);
    billingStage(ctx);
    collectionsStage(ctx);
    helpdeskStage(ctx);
    monthEnd(ctx);
    const days = [...timeline.keys()].sort();
    for (let date = days[0]!; date <= days[days.length - 1]!; date = nextDay(date)) {
      clock.set(`${date}T13:00:00Z`);
      const t = Date.now();
      await platform.runtime.host.runDueJobs();
      const work = timeline.get(date) ?? [];
      ctx.progress(`day ${date.slice(8)}: scheduled jobs ran (${Date.now() - t} ms)${work.length ? '' : '; a quiet day'}`);
      for (const w of work) await w();
    }
    const summary = await readSummary(ctx);
    out(printSummary(summary));
    const outDir = resolve(options.outDir ?? '.mso/demo');
    const reportFile = join(outDir, 'report.html');
    mkdirSync(dirname(reportFile), { recursive: true });
    writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeReport(reportFile, summary);
    const elapsedMs = Date.now() - started;
    out(`\n  Report: ${reportFile}\n  The month ran in ${(elapsedMs / 1000).toFixed(1)} s (platform start included).\n`);
    if (options.exit) {
      closed = true;
      await platform.close();
    } else {
      out(`  The platform keeps running with the month's data: ${baseUrl}/docs (admin key: MSO_ADMIN_KEY, or the development key in the admin-key file beside the data folder). Ctrl-C stops it.\n`);
    }
    return { summary, ctx, baseUrl, reportFile, elapsedMs, platform: closed ? undefined : platform };
  } catch (error) {
    if (!closed) await platform.close();
    throw error;
  }
}

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function demoArgs(args: string[]): { exit: boolean; port?: number; outDir?: string } {
  const { values } = parseArgs({ args, options: { exit: { type: 'boolean' }, port: { type: 'string' }, out: { type: 'string' } }, allowPositionals: false });
  return { exit: values.exit ?? false, ...(values.port ? { port: Number(values.port) } : {}), ...(values.out ? { outDir: values.out } : {}) };
}

export { MONTH };
