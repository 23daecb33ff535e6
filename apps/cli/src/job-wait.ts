import { parseArgs } from 'node:util';
import type { AsyncJob } from '@mso/contracts';

export interface WaitForJobOptions {
  /** The job's URL (`Location` of a 202), or its path on `baseUrl`. */
  url: string;
  key: string;
  /** For MSO keys: the practice the job belongs to. */
  practiceId?: string;
  baseUrl?: string;
  intervalMs?: number;
  /** How long to keep polling while the service answers 503 (e.g. restarting). Default 2 min. */
  outageMs?: number;
  /** Where the progress bar goes (stderr: stdout keeps the job's JSON for pipes). */
  progressTo?: NodeJS.WritableStream & { isTTY?: boolean };
}

const BAR_WIDTH = 30;
/** Answers after which asking again makes sense: overloaded, or no copy of the service up right now. */
const TRANSIENT = new Set([429, 502, 503]);

/**
 * One line of progress. Hand-written rather than a dependency: twenty lines do it. On a terminal the
 * line is redrawn in place; elsewhere (logs, CI) a line is written only when the figures change.
 */
export function progressLine(job: Pick<AsyncJob, 'status' | 'progress'>): string {
  const { done, total } = job.progress;
  const ratio = total > 0 ? Math.min(1, done / total) : job.status === 'succeeded' ? 1 : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const counts = total > 0 ? ` ${done}/${total}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}${counts} ${job.status}`;
}

/** Polls a job until it succeeds or fails, drawing its progress; returns the final job. */
export async function waitForJob(options: WaitForJobOptions): Promise<AsyncJob> {
  const url = new URL(options.url, options.baseUrl ?? 'http://localhost:3000');
  const out = options.progressTo ?? process.stderr;
  const headers: Record<string, string> = { authorization: `Bearer ${options.key}`, accept: 'application/json' };
  if (options.practiceId) headers['x-practice-id'] = options.practiceId;
  let shown = '';
  let outageSince: number | undefined;
  for (;;) {
    const response = await fetch(url, { headers });
    const body = (await response.json().catch(() => undefined)) as (AsyncJob & { detail?: string }) | undefined;
    // The service may be restarting (its job is resumed by the next copy): keep asking for a while.
    if (TRANSIENT.has(response.status) && Date.now() - (outageSince ??= Date.now()) < (options.outageMs ?? 120_000)) {
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
      continue;
    }
    outageSince = undefined;
    if (!response.ok || !body) throw new Error(`GET ${url.pathname} answered ${response.status}${body?.detail ? `: ${body.detail}` : ''}`);
    const line = progressLine(body);
    if (line !== shown) {
      out.write(out.isTTY ? `\r${line}` : `${line}\n`);
      shown = line;
    }
    if (body.status === 'succeeded' || body.status === 'failed') {
      if (out.isTTY) out.write('\n');
      return body;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

/** `mso job wait <url> [--key K] [--practice P]`: exits 0 when the job succeeded, 1 when it failed. */
export async function jobCommand(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: 'string' }, practice: { type: 'string' }, interval: { type: 'string' } },
  });
  const [action, url] = positionals;
  if (action !== 'wait' || !url) throw new Error('usage: mso job wait <job url> [--key <api key>] [--practice <practice id>]');
  const key = values.key ?? process.env.MSO_API_KEY;
  if (!key) throw new Error('mso job wait needs an API key: --key or MSO_API_KEY');
  const practiceId = values.practice ?? process.env.MSO_PRACTICE_ID;
  const job = await waitForJob({
    url,
    key,
    ...(practiceId ? { practiceId } : {}),
    ...(process.env.MSO_URL ? { baseUrl: process.env.MSO_URL } : {}),
    ...(values.interval ? { intervalMs: Number(values.interval) } : {}),
  });
  process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  if (job.status === 'failed') process.exitCode = 1;
}
