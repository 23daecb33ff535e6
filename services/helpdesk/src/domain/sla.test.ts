import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '@mso/kit/calendar';
import { applySignals, elapsedMs, nextCheckAt, pause, recalendar, respond, resume, retarget, signals, startClock, stop, view } from './sla.js';

// Chicago, 08:00-17:00 Monday to Friday; Monday 25 May 2026 (Memorial Day) is a holiday.
const spec = { timeZone: 'America/Chicago', workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] }, holidays: ['2026-05-25'] };
const cal = new BusinessCalendar(spec);
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;
// Friday 22 May 2026, 15:00 CDT.
const friday3pm = at('2026-05-22T20:00:00Z');
const normal = { firstResponseMinutes: 240, resolutionMinutes: 1440 };

describe('SLA clocks', () => {
  it('computes due times across a weekend and a holiday in the practice time zone', () => {
    const s = startClock(normal, cal, friday3pm, 80);
    // 2 h Friday, weekend, holiday Monday, 2 h Tuesday: Tuesday 10:00 CDT.
    expect(iso(s.firstResponse.dueAt)).toBe('2026-05-26T15:00:00.000Z');
    // 24 business hours: 2 h Friday + 9 h Tue + 9 h Wed + 4 h Thu: Thursday 12:00 CDT.
    expect(iso(s.resolution.dueAt)).toBe('2026-05-28T17:00:00.000Z');
    // At risk at 80 % (192 min): 2 h Friday + 72 min Tuesday: 09:12 CDT.
    expect(iso(s.firstResponse.warnAt)).toBe('2026-05-26T14:12:00.000Z');
    expect(nextCheckAt(s)?.toISOString()).toBe('2026-05-26T14:12:00.000Z');
  });

  it('is neither at risk nor breached over the weekend, then at risk, then breached', () => {
    const s = startClock(normal, cal, friday3pm, 80);
    const saturday = at('2026-05-23T18:00:00Z');
    expect(view(s, saturday).firstResponse).toMatchObject({ breached: false, atRisk: false });
    expect(signals(s, saturday)).toEqual([]);
    const tuesday930 = at('2026-05-26T14:30:00Z');
    expect(view(s, tuesday930).firstResponse).toMatchObject({ breached: false, atRisk: true });
    const warned = applySignals(s, signals(s, tuesday930), tuesday930);
    expect(signals(warned, tuesday930)).toEqual([]);
    expect(nextCheckAt(warned)?.toISOString()).toBe('2026-05-26T15:00:00.001Z');
    // Due at 10:00 sharp: not breached at 10:00, breached after.
    expect(signals(warned, at('2026-05-26T15:00:00Z'))).toEqual([]);
    const late = at('2026-05-26T15:01:00Z');
    expect(signals(warned, late)).toEqual([{ target: 'first-response', kind: 'breached', dueAt: at('2026-05-26T15:00:00Z') }]);
    const breached = applySignals(warned, signals(warned, late), late);
    expect(breached.firstResponse.breachedAt?.toISOString()).toBe('2026-05-26T15:00:00.000Z');
    expect(view(breached, late).firstResponse).toMatchObject({ breached: true, atRisk: false });
    expect(signals(breached, late)).toEqual([]);
  });

  it('announces only the breach when the check first sees a target already overdue', () => {
    const s = startClock(normal, cal, friday3pm, 80);
    expect(signals(s, at('2026-05-27T15:00:00Z')).map((x) => `${x.target}:${x.kind}`)).toEqual(['first-response:breached']);
  });

  it('pauses in pending states and resumes with the business time left', () => {
    let s = startClock(normal, cal, friday3pm, 80);
    // Answered at 16:00 Friday (1 business hour used), then waiting on the practice.
    s = respond(s, cal, at('2026-05-22T21:00:00Z'));
    expect(s.firstResponse.elapsedMs).toBe(3_600_000);
    s = pause(s, cal, at('2026-05-22T21:00:00Z'));
    expect(view(s, at('2026-05-27T12:00:00Z'))).toMatchObject({ clock: 'paused', resolution: { dueAt: null, breached: false, atRisk: false } });
    expect(view(s, at('2026-05-27T12:00:00Z')).firstResponse.dueAt?.toISOString()).toBe('2026-05-26T15:00:00.000Z'); // met: kept
    expect(nextCheckAt(s)).toBeNull();
    // The practice answers Wednesday 10:00 CDT: 23 business hours left.
    s = resume(s, cal, at('2026-05-27T15:00:00Z'), 80);
    expect(s.consumedMs).toBe(3_600_000);
    // Wed 10-17 (7 h), Thu 9 h, Fri 7 h: Friday 29 May 15:00 CDT.
    expect(iso(s.resolution.dueAt)).toBe('2026-05-29T20:00:00.000Z');
    s = stop(s, cal, at('2026-05-28T15:00:00Z'));
    expect(s.resolution.elapsedMs).toBe((1 + 7 + 2) * 3_600_000);
    expect(view(s, at('2026-06-30T00:00:00Z'))).toMatchObject({ clock: 'stopped', resolution: { breached: false } });
    expect(nextCheckAt(s)).toBeNull();
  });

  it('records a breach that happened before a pause, and a late answer as breached', () => {
    let s = startClock(normal, cal, friday3pm, 80);
    s = pause(s, cal, at('2026-05-26T16:00:00Z')); // Tuesday 11:00, an hour past the first-response due time
    expect(s.firstResponse.breachedAt?.toISOString()).toBe('2026-05-26T15:00:00.000Z');
    expect(view(s, at('2026-05-26T16:00:00Z')).firstResponse.breached).toBe(true);
    const t = respond(startClock(normal, cal, friday3pm, 80), cal, at('2026-05-26T15:30:00Z'));
    expect(t.firstResponse.breachedAt?.toISOString()).toBe('2026-05-26T15:00:00.000Z');
  });

  it('counts resolution as the first response when there was none, and reopens with the time left', () => {
    let s = startClock(normal, cal, friday3pm, 80);
    s = stop(s, cal, at('2026-05-22T21:00:00Z'));
    expect(s.firstResponse.metAt?.toISOString()).toBe('2026-05-22T21:00:00.000Z');
    s = resume(s, cal, at('2026-05-26T13:00:00Z'), 80); // reopened Tuesday 08:00
    expect(s.resolution.metAt).toBeNull();
    expect(s.firstResponse.metAt).not.toBeNull();
    // 23 h left from Tuesday 08:00: Tue 9 + Wed 9 + Thu 5: Thursday 13:00 CDT.
    expect(iso(s.resolution.dueAt)).toBe('2026-05-28T18:00:00.000Z');
  });

  it('re-targets on a priority change, keeping the time already used', () => {
    let s = startClock(normal, cal, friday3pm, 80);
    // Tuesday 09:00: 3 business hours used; urgent is 60 / 480 minutes.
    s = retarget(s, { firstResponseMinutes: 60, resolutionMinutes: 480 }, cal, at('2026-05-26T14:00:00Z'), 80);
    expect(iso(s.firstResponse.dueAt)).toBe('2026-05-22T21:00:00.000Z'); // 60 min after opening: already past
    expect(signals(s, at('2026-05-26T14:00:00Z')).map((x) => x.kind)).toEqual(['breached']);
    expect(iso(s.resolution.dueAt)).toBe('2026-05-26T19:00:00.000Z'); // 2 h Friday + 6 h Tuesday: 14:00 CDT
  });

  it('moves due times of a running clock to a new calendar', () => {
    const s = startClock(normal, cal, friday3pm, 80);
    const noHoliday = new BusinessCalendar({ ...spec, holidays: [] });
    expect(iso(recalendar(s, noHoliday, 80).firstResponse.dueAt)).toBe('2026-05-25T15:00:00.000Z');
  });

  it('runs around the clock on a 24x7 calendar', () => {
    const always = BusinessCalendar.always('America/Chicago');
    const s = startClock({ firstResponseMinutes: 30, resolutionMinutes: 240 }, always, at('2026-05-23T03:00:00Z'), 80);
    expect(iso(s.firstResponse.dueAt)).toBe('2026-05-23T03:30:00.000Z');
    expect(elapsedMs(s, always, at('2026-05-23T04:00:00Z'))).toBe(3_600_000);
  });
});
