import { readFileSync } from 'node:fs';

/**
 * What the scenario's own server processes spent, read from `/proc` before and after a window and
 * given per request. Linux only; elsewhere every figure is undefined.
 */

/** Sums the numbers `read` takes from `/proc/<pid>/<file>` over the processes; undefined when one is unreadable. */
function sumOverProcesses(pids: readonly number[], file: string, read: (text: string) => readonly number[]): number[] | undefined {
  let sums: number[] | undefined;
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return undefined;
    }
    const values = read(text);
    sums = sums ? sums.map((sum, i) => sum + values[i]!) : [...values];
  }
  return sums?.every(Number.isFinite) ? sums : undefined;
}

/**
 * CPU seconds (user + system) the processes have used, from `/proc/<pid>/stat`. CPU per request is
 * steadier than requests per second when the machine's speed swings: a slower machine serves fewer
 * requests, but each costs about the same CPU.
 */
const TICK = 100; // USER_HZ: 100 on every Linux build Node supports
export function cpuSeconds(pids: readonly number[]): number | undefined {
  const ticks = sumOverProcesses(pids, 'stat', (stat) => {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[11]) + Number(fields[12])];
  });
  return ticks && ticks[0]! / TICK;
}

/**
 * Read and write system calls the processes have made (`syscr`, `syscw` in `/proc/<pid>/io`): on
 * loopback a socket write runs the receiver's network stack too, so writes per request are a cost
 * of their own beside the CPU figure.
 */
export function syscalls(pids: readonly number[]): { reads: number; writes: number } | undefined {
  const field = (io: string, name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  const sums = sumOverProcesses(pids, 'io', (io) => [field(io, 'syscr'), field(io, 'syscw')]);
  return sums && { reads: sums[0]!, writes: sums[1]! };
}

const perRequest = (before: number | undefined, after: number | undefined, requests: number, scale: number, digits: number) =>
  before === undefined || after === undefined || requests === 0 ? undefined : Math.round(((after - before) * scale * 10 ** digits) / requests) / 10 ** digits;

/** CPU µs per request between two {@link cpuSeconds} readings. */
export const perRequestUs = (before: number | undefined, after: number | undefined, requests: number) => perRequest(before, after, requests, 1e6, 0);

/** System calls per request (one decimal) between two {@link syscalls} readings; nothing when either is missing. */
export function callsPerRequest(before: ReturnType<typeof syscalls>, after: ReturnType<typeof syscalls>, requests: number): { readsPerRequest?: number; writesPerRequest?: number } {
  const reads = perRequest(before?.reads, after?.reads, requests, 1, 1);
  const writes = perRequest(before?.writes, after?.writes, requests, 1, 1);
  return reads === undefined || writes === undefined ? {} : { readsPerRequest: reads, writesPerRequest: writes };
}
