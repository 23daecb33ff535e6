/** The only source of "now" in services: tests and the demo move it; production reads the system. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string = '2026-01-05T14:00:00Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Parses `30s`, `1m`, `15m`, `1h`, `1d` into milliseconds. */
export function parseInterval(every: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(every);
  if (!m) throw new Error(`invalid interval "${every}" (use e.g. 30s, 1m, 1h)`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}
