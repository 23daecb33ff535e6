import { describe, expect, it } from 'vitest';
import { cronSchedule, dueFire, everySchedule, type Schedule } from './scheduler.js';

const at = (iso: string) => new Date(iso);
const minute = 60_000;
const day = 24 * 60 * minute;

/** What a pass runs when the clock stands at each instant in turn: the fire times, in order. */
function passes(schedule: Schedule, firstCursor: Date, instants: Date[]): string[] {
  const ran: string[] = [];
  let cursor = firstCursor;
  for (const now of instants) {
    const due = dueFire(schedule, cursor, now);
    if (!due) continue;
    ran.push(due.toISOString());
    cursor = due;
  }
  return ran;
}

/** The fire times after `cursor` up to `now`, one step at a time: the reference for the latest. */
function everyFireUpTo(schedule: Schedule, cursor: Date, now: Date): Date[] {
  const fires: Date[] = [];
  for (let next = schedule.next(cursor); next && next <= now; next = schedule.next(next)) fires.push(next);
  return fires;
}

describe('missed fires collapse into the latest one', () => {
  it('runs a 1-minute job once for the latest tick after a 38-day gap, then for the next minute', () => {
    const schedule = everySchedule('1m');
    const lastRun = at('2026-01-05T14:00:00Z');
    const back = new Date(lastRun.getTime() + 38 * day + 30_000); // 54,720 fires later, mid-minute
    expect(passes(schedule, lastRun, [back, back, new Date(back.getTime() + 20_000), new Date(back.getTime() + minute)])).toEqual([
      '2026-02-12T14:00:00.000Z',
      '2026-02-12T14:01:00.000Z',
    ]);
  });

  it('runs a monthly cron once for the latest month after a 3-month gap, at local 06:00 across DST', () => {
    const schedule = cronSchedule('0 6 1 * *', 'America/New_York');
    // Last run Jan 1 (EST); every copy down until mid-April (EDT since Mar 14): Feb, Mar and Apr were missed.
    const lastRun = at('2027-01-01T11:00:00Z');
    expect(passes(schedule, lastRun, [at('2027-04-15T12:00:00Z'), at('2027-04-30T12:00:00Z'), at('2027-05-01T10:00:00Z')])).toEqual([
      '2027-04-01T10:00:00.000Z',
      '2027-05-01T10:00:00.000Z',
    ]);
  });

  it('counts a fire exactly at the clock time, and none before the first one after the cursor', () => {
    const daily = cronSchedule('0 2 * * *', 'UTC');
    expect(dueFire(daily, at('2027-01-05T02:00:00Z'), at('2027-01-06T01:59:59.999Z'))).toBeNull();
    expect(dueFire(daily, at('2027-01-05T02:00:00Z'), at('2027-01-06T02:00:00Z'))).toEqual(at('2027-01-06T02:00:00Z'));
    const hourly = everySchedule('1h');
    expect(dueFire(hourly, at('2027-01-05T02:00:00Z'), at('2027-01-05T02:59:59Z'))).toBeNull();
    expect(dueFire(hourly, at('2027-01-05T02:00:00Z'), at('2027-01-09T07:00:00Z'))).toEqual(at('2027-01-09T07:00:00Z'));
  });

  it('finds the same latest fire as walking every step, across both DST changes and in repeated local hours', () => {
    const cases: [pattern: string, zone: string, cursor: string, now: string][] = [
      // Fall back: 01:30 New York happens twice on Nov 1 2026 (05:30Z EDT, 06:30Z EST); both are fires.
      ['30 * * * *', 'America/New_York', '2026-11-01T04:30:00Z', '2026-11-01T06:45:00Z'],
      ['30 * * * *', 'America/New_York', '2026-11-01T04:30:00Z', '2026-11-01T06:10:00Z'],
      // Spring forward: 02:30 New York does not exist on Mar 14 2027.
      ['30 2 * * *', 'America/New_York', '2027-03-12T07:30:00Z', '2027-03-15T12:00:00Z'],
      ['0 1 * * *', 'America/New_York', '2026-10-30T05:00:00Z', '2026-11-01T07:30:00Z'],
      ['*/15 * * * *', 'Europe/London', '2026-10-24T12:00:00Z', '2026-10-25T01:20:00Z'],
      ['0 7 * * 1-5', 'Asia/Kolkata', '2026-12-20T00:00:00Z', '2027-01-04T03:00:00Z'],
      ['0 0 L * *', 'Australia/Sydney', '2026-01-31T13:00:00Z', '2026-07-15T00:00:00Z'],
      ['0 6 1 * *', 'America/New_York', '2026-09-30T12:00:00Z', '2027-04-01T09:59:59Z'],
    ];
    for (const [pattern, zone, cursor, now] of cases) {
      const schedule = cronSchedule(pattern, zone);
      const walked = everyFireUpTo(schedule, at(cursor), at(now)).at(-1) ?? null;
      expect(dueFire(schedule, at(cursor), at(now)), `${pattern} in ${zone} up to ${now}`).toEqual(walked);
    }
  });
});
