// The service copies of a fault run: one OS process per copy, as `mso up` and `mso service <name>`
// start them, each killable with SIGKILL and restarted on the same settings.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface Copy {
  readonly name: string;
  readonly service: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
  start(): void;
  /** Resolves when the copy started last says it is ready (it serves and consumes); rejects if it exits first. */
  ready(): Promise<void>;
}

export interface CopyOptions {
  service: string;
  index: number;
  env: Record<string, string>;
  /** Where the copy's stderr goes (one file per copy). */
  logDir: string;
  /** The copy exited without being killed: a crash (the run reports it, and starts the copy again). */
  onCrash?: (copy: Copy, how: string) => void;
}

export function serviceCopy(o: CopyOptions): Copy {
  const name = `${o.service}-${o.index}`;
  let child: ChildProcess | undefined;
  let killing = false;
  let ready: Promise<void> = Promise.reject(new Error(`${name} not started`));
  ready.catch(() => {});
  const log = openSync(join(o.logDir, `${name}.log`), 'a');
  const copy: Copy = {
    name,
    service: o.service,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    start() {
      killing = false;
      child = spawn(process.execPath, ['--conditions=@mso/source', '--import', 'tsx', main, 'service', o.service], {
        env: { ...process.env, ...o.env, MSO_SERVICES: o.service },
        stdio: ['ignore', 'pipe', log],
      });
      const c = child;
      ready = new Promise<void>((resolve, reject) => {
        let seen = '';
        c.stdout!.on('data', (chunk: Buffer) => {
          seen = (seen + chunk.toString('utf8')).slice(-200);
          if (/ ready \(instance /.test(seen)) resolve();
        });
        c.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) before it was ready; see ${o.logDir}/${name}.log`)));
      });
      let serving = false;
      ready.then(() => (serving = true), () => {});
      // A copy that fails to start is the starter's to handle; one that dies while serving is a crash.
      c.once('exit', (code, signal) => {
        if (!killing && serving && c === child) o.onCrash?.(copy, `${signal ?? `code ${code}`}`);
      });
      ready.catch(() => {});
    },
    ready: () => ready,
    async kill() {
      killing = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGKILL');
      await new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve(null) : c.once('exit', resolve)));
    },
  };
  return copy;
}

/** The pid of the local process owning the TCP connection whose local port is `port` (the client side of a database session). */
export function processOfLocalPort(port: number): number | undefined {
  const out = spawnSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' }).stdout ?? '';
  const pid = /pid=(\d+)/.exec(out)?.[1];
  return pid ? Number(pid) : undefined;
}
