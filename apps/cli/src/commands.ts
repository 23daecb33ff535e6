import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPlatform } from '@mso/gateway';
import { exitOnSignals, selectServices } from '@mso/kit';
import { createLogger } from '@mso/telemetry';
import { allServices } from './services.js';
import { jobCommand } from './job-wait.js';

const usage = `mso: the MSO Platform

  mso start                      every service (MSO_SERVICES to choose) and the gateway in one process;
                                 in-memory bus + PGlite, or NATS + Postgres when NATS_URL and DATABASE_URL are set
  mso up --services a,b          one process per listed service plus a gateway (needs NATS_URL and DATABASE_URL)
  mso gateway                    the gateway alone (needs NATS_URL)
  mso service <name>             one service alone (needs NATS_URL; DATABASE_URL for services with data)
  mso services                   list the services this build ships
  mso demo [--exit] [--port N]   an MSO's month end to end through the API (embedded, or NATS + Postgres when set),
                                 a summary and .mso/demo/report.html; the platform keeps running unless --exit
  mso job wait <url>             wait for an async job (the Location of a 202), drawing its progress on stderr;
                                 --key or MSO_API_KEY, --practice or MSO_PRACTICE_ID for MSO keys, MSO_URL
`;

/**
 * The bootstrap admin key: MSO_ADMIN_KEY, or in development one generated on first start and kept in
 * the data folder (so it survives a restart). Production refuses to start without it.
 */
function adminKey(env: NodeJS.ProcessEnv, log: ReturnType<typeof createLogger>): string {
  if (env.MSO_ADMIN_KEY) return env.MSO_ADMIN_KEY;
  if (env.NODE_ENV === 'production') throw new Error('MSO_ADMIN_KEY is required in production');
  const dataDir = env.MSO_DATA_DIR ?? '.mso/data';
  const file = join(dirname(dataDir), 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `mso_admin_${randomBytes(24).toString('base64url')}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  log.info({ file }, 'generated a development admin key');
  process.stdout.write(`\n  Admin API key (development; kept in ${file}):\n\n    ${key}\n\n`);
  return key;
}

/**
 * The key that seals stored replies of PHI operations (MSO_IDEMPOTENCY_KEY, docs/kit/requests.md): in
 * development generated on first start and kept beside the admin key, so retries of PHI writes replay.
 * Production sets its own; without one those replies are not stored.
 */
function developmentIdempotencyKey(env: NodeJS.ProcessEnv, log: ReturnType<typeof createLogger>): void {
  if (env.MSO_IDEMPOTENCY_KEY || env.NODE_ENV === 'production') return;
  const file = join(dirname(env.MSO_DATA_DIR ?? '.mso/data'), 'idempotency-key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    log.info({ file }, 'generated a development idempotency key');
  }
  env.MSO_IDEMPOTENCY_KEY = readFileSync(file, 'utf8').trim();
}

async function start(args: string[], servicesOverride?: string): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' } }, allowPositionals: false });
  const env = process.env;
  const log = createLogger({ name: 'mso' });
  const services = selectServices(allServices, servicesOverride ?? env.MSO_SERVICES);
  developmentIdempotencyKey(env, log);
  const platform = await startPlatform({ services, env, adminKey: adminKey(env, log), logger: log });
  exitOnSignals(platform.close, log);
  const port = Number(values.port ?? env.PORT ?? 3000);
  const host = values.host ?? env.HOST ?? '0.0.0.0';
  await platform.app.listen({ port, host });
  const mode = env.NATS_URL ? 'NATS + Postgres' : 'embedded (in-memory bus, PGlite)';
  process.stdout.write(
    `  MSO Platform on http://localhost:${port}  (${mode}; services: ${services.map((s) => s.id).join(', ') || 'none'})\n` +
      `  API docs: http://localhost:${port}/docs\n`,
  );
}

/** How to start a child `node` process running one of our TypeScript or built entry points. */
function nodeCommand(entry: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [...process.execArgv, entry] };
}

function serviceEntry(id: string): string {
  const resolved = fileURLToPath(import.meta.resolve(`@mso/service-${id}`));
  return join(dirname(resolved), resolved.endsWith('.ts') ? 'main.ts' : 'main.js');
}

async function up(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { services: { type: 'string' }, port: { type: 'string' } } });
  if (!process.env.NATS_URL || !process.env.DATABASE_URL) throw new Error('mso up needs NATS_URL and DATABASE_URL (one process per service talks over NATS)');
  const log = createLogger({ name: 'mso-up' });
  const services = selectServices(allServices, values.services);
  if (!services.some((s) => s.id === 'tenancy')) services.unshift(allServices.find((s) => s.id === 'tenancy')!);
  // Every child seals and opens PHI replies with one key.
  developmentIdempotencyKey(process.env, log);
  const children: ChildProcess[] = [];
  const launch = (name: string, entry: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const { command, args: nodeArgs } = nodeCommand(entry);
    const child = spawn(command, [...nodeArgs, ...extraArgs], { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => log.info({ process: name, code, signal }, 'process exited'));
    children.push(child);
  };
  for (const service of services) launch(service.id, serviceEntry(service.id), [], { MSO_SERVICES: service.id });
  const self = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url));
  launch('gateway', self, ['gateway', ...(values.port ? ['--port', values.port] : [])], { MSO_SERVICES: '' });
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))));
  };
  exitOnSignals(stop, log);
}

export const commands = {
  start: (args: string[]) => start(args),
  up,
  gateway: async (args: string[]) => {
    if (!process.env.NATS_URL) throw new Error('mso gateway needs NATS_URL');
    const log = createLogger({ name: 'mso-gateway' });
    const platform = await startPlatform({ services: [], adminKey: adminKey(process.env, log), logger: log });
    exitOnSignals(platform.close, log);
    const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
    const port = Number(values.port ?? process.env.PORT ?? 3000);
    await platform.app.listen({ port, host: process.env.HOST ?? '0.0.0.0' });
    process.stdout.write(`  MSO Platform gateway on http://localhost:${port} (NATS; docs at /docs)\n`);
  },
  service: async (args: string[]) => {
    const [name] = args;
    const definition = allServices.find((s) => s.id === name);
    if (!definition) throw new Error(`unknown service "${name}"; known: ${allServices.map((s) => s.id).join(', ')}`);
    const { runServiceProcess } = await import('@mso/kit');
    await runServiceProcess(definition);
  },
  services: async () => {
    for (const s of allServices) process.stdout.write(`${s.id.padEnd(12)} ${s.version.padEnd(8)} ${s.description}\n`);
  },
  job: jobCommand,
  demo: async (args: string[]) => {
    const { runDemo, demoArgs } = await import('./demo/run.js');
    const options = demoArgs(args);
    const env = process.env;
    const log = createLogger({ name: 'mso-demo', level: env.LOG_LEVEL ?? 'warn' });
    // Embedded, the demo starts from empty books in a folder of its own (not the `mso start` data).
    if (!env.DATABASE_URL && !env.MSO_DATA_DIR) {
      env.MSO_DATA_DIR = '.mso/demo/data';
      rmSync(env.MSO_DATA_DIR, { recursive: true, force: true });
    }
    developmentIdempotencyKey(env, log);
    const result = await runDemo({ env, adminKey: adminKey(env, log), exit: options.exit, ...(options.port !== undefined ? { port: options.port } : {}), ...(options.outDir ? { outDir: options.outDir } : {}) });
    if (result.platform) exitOnSignals(result.platform.close, log);
  },
  help: async (_args: string[]) => {
    process.stdout.write(usage);
  },
};
