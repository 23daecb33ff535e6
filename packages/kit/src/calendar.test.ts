import { describe, expect, it } from 'vitest';
import { addDays, BusinessCalendar, isoWeekday, isValidTimeZone, localDate, zonedInstant } from './calendar.js';

const newYork = new BusinessCalendar({
  timeZone: 'America/New_York',
  workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] },
  // Memorial Day 2026 is Monday 25 May.
  holidays: ['2026-05-25'],
});
const at = (iso: string) => new Date(iso);

describe('dates and zones', () => {
  it('reads local dates and weekdays', () => {
    expect(localDate(at('2026-03-07T03:00:00Z'), 'America/New_York')).toBe('2026-03-06');
    expect(localDate(at('2026-03-07T03:00:00Z'), 'Asia/Tokyo')).toBe('2026-03-07');
    expect(isoWeekday('2026-05-25')).toBe(1);
    expect(isoWeekday('2026-05-24')).toBe(7);
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('converts local wall time to instants across DST changes', () => {
    expect(zonedInstant('2026-01-15', '08:00', 'America/New_York').toISOString()).toBe('2026-01-15T13:00:00.000Z');
    expect(zonedInstant('2026-07-15', '08:00', 'America/New_York').toISOString()).toBe('2026-07-15T12:00:00.000Z');
    // 02:30 does not exist on 8 March 2026 in New York: it moves forward by the gap.
    expect(zonedInstant('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 happens twice on 1 November 2026: the earlier (EDT) one.
    expect(zonedInstant('2026-11-01', '01:30', 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(zonedInstant('2026-10-25', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedInstant('2026-03-02', '24:00', 'UTC').toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(zonedInstant('2026-03-02', '09:30', 'Asia/Kolkata').toISOString()).toBe('2026-03-02T04:00:00.000Z');
  });

  it('knows which time zones exist', () => {
    expect(isValidTimeZone('America/Chicago')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('BusinessCalendar', () => {
  it('refuses calendars that cannot work', () => {
    expect(() => new BusinessCalendar({ timeZone: 'Nowhere/City', workingHours: { start: '08:00', end: '17:00', days: [1] } })).toThrow(/time zone/);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', workingHours: { start: '17:00', end: '08:00', days: [1] } })).toThrow(/start before/);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', workingHours: { start: '08:00', end: '17:00', days: [] } })).toThrow(/weekdays/);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', workingHours: { start: '08:00', end: '17:00', days: [8] } })).toThrow(/weekdays/);
    expect(() => new BusinessCalendar({ timeZone: 'UTC', workingHours: { start: '8am', end: '17:00', days: [1] } })).toThrow(/HH:MM/);
  });

  it('knows working days, holidays and opening hours', () => {
    expect(newYork.isWorkingDay('2026-05-22')).toBe(true); // Friday
    expect(newYork.isWorkingDay('2026-05-23')).toBe(false); // Saturday
    expect(newYork.isWorkingDay('2026-05-25')).toBe(false); // holiday
    expect(newYork.isOpen(at('2026-05-22T12:00:00Z'))).toBe(true); // 08:00 EDT
    expect(newYork.isOpen(at('2026-05-22T11:59:59Z'))).toBe(false);
    expect(newYork.isOpen(at('2026-05-22T21:00:00Z'))).toBe(false); // 17:00 EDT: closed
    expect(newYork.nextOpen(at('2026-05-22T21:30:00Z')).toISOString()).toBe('2026-05-26T12:00:00.000Z'); // Tuesday after the holiday
    expect(newYork.nextOpen(at('2026-05-22T15:00:00Z')).toISOString()).toBe('2026-05-22T15:00:00.000Z');
  });

  it('adds business time within a day, to the closing minute, and across a weekend and a holiday', () => {
    const friday3pm = at('2026-05-22T19:00:00Z'); // 15:00 EDT
    expect(newYork.addBusinessMinutes(friday3pm, 60).toISOString()).toBe('2026-05-22T20:00:00.000Z');
    expect(newYork.addBusinessMinutes(friday3pm, 120).toISOString()).toBe('2026-05-22T21:00:00.000Z'); // 17:00 sharp
    // 2 h on Friday, the weekend and Memorial Day skipped, 2 h on Tuesday.
    expect(newYork.addBusinessMinutes(friday3pm, 240).toISOString()).toBe('2026-05-26T14:00:00.000Z');
    // Starting outside working hours starts the clock at the next opening.
    expect(newYork.addBusinessMinutes(at('2026-05-23T15:00:00Z'), 30).toISOString()).toBe('2026-05-26T12:30:00.000Z');
    // Three full business days from Friday 08:00 end on Wednesday 17:00.
    expect(newYork.addBusinessMinutes(at('2026-05-22T12:00:00Z'), 3 * 9 * 60).toISOString()).toBe('2026-05-27T21:00:00.000Z');
    expect(newYork.addBusinessMinutes(friday3pm, 0).toISOString()).toBe(friday3pm.toISOString());
    expect(() => newYork.addBusinessMinutes(friday3pm, -1)).toThrow(RangeError);
  });

  it('measures business time between instants, signed', () => {
    const friday3pm = at('2026-05-22T19:00:00Z');
    const tuesday10am = at('2026-05-26T14:00:00Z');
    expect(newYork.businessMinutesBetween(friday3pm, tuesday10am)).toBe(240);
    expect(newYork.businessMinutesBetween(tuesday10am, friday3pm)).toBe(-240);
    expect(newYork.businessMinutesBetween(at('2026-05-23T00:00:00Z'), at('2026-05-26T00:00:00Z'))).toBe(0);
    expect(newYork.businessTimeBetween(friday3pm, friday3pm)).toBe(0);
  });

  it('inverts: the business time between a start and start + n is n', () => {
    const starts = ['2026-05-22T19:00:00Z', '2026-03-06T22:00:00Z', '2026-10-30T13:17:00Z', '2026-12-24T20:59:00Z'];
    for (const s of starts) {
      for (const minutes of [1, 59, 540, 541, 2_000, 10_000]) {
        const due = newYork.addBusinessMinutes(at(s), minutes);
        expect(newYork.businessMinutesBetween(at(s), due)).toBe(minutes);
        expect(newYork.isOpen(new Date(due.getTime() - 1))).toBe(true);
      }
    }
  });

  it('keeps local opening hours across daylight saving changes', () => {
    // Friday 6 March 16:00 EST + 2 h: 1 h Friday, the clocks change on Sunday, 1 h Monday from 08:00 EDT.
    const due = newYork.addBusinessMinutes(at('2026-03-06T21:00:00Z'), 120);
    expect(due.toISOString()).toBe('2026-03-09T13:00:00.000Z'); // 09:00 EDT
    const always = BusinessCalendar.always('America/New_York');
    // 24 hours across the spring-forward night are 24 elapsed hours, not 24 wall-clock hours.
    expect(always.addBusinessMinutes(at('2026-03-08T05:00:00Z'), 24 * 60).toISOString()).toBe('2026-03-09T05:00:00.000Z');
    expect(always.workingMinutesOn('2026-03-08')).toBe(23 * 60);
    expect(always.workingMinutesOn('2026-11-01')).toBe(25 * 60);
  });

  it('works for zones east of UTC and working days that include weekends', () => {
    const tokyo = new BusinessCalendar({ timeZone: 'Asia/Tokyo', workingHours: { start: '09:00', end: '18:00', days: [2, 3, 4, 5, 6] } });
    // Monday is closed here; Saturday is open.
    expect(tokyo.addBusinessMinutes(at('2026-05-24T15:00:00Z'), 60).toISOString()).toBe('2026-05-26T01:00:00.000Z'); // Tue 10:00 JST
    expect(tokyo.isWorkingDay('2026-05-30')).toBe(true);
  });

  it('round-trips its spec', () => {
    expect(newYork.toSpec()).toEqual({
      timeZone: 'America/New_York',
      workingHours: { start: '08:00', end: '17:00', days: [1, 2, 3, 4, 5] },
      holidays: ['2026-05-25'],
    });
  });
});
