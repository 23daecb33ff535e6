import { describe, expect, it } from 'vitest';
import { holdUntil, insideWindow, nextWindowOpen } from './quiet-hours.js';

describe('quiet hours', () => {
  it('lets e-mail and SMS out only between 08:00 and 21:00 on the guarantor clock', () => {
    // 12:30Z is 08:30 in New York (EDT) but 05:30 in Los Angeles (PDT).
    const at = new Date('2026-07-15T12:30:00Z');
    expect(holdUntil('email', at, 'America/New_York')).toBeNull();
    expect(holdUntil('sms', at, 'America/Los_Angeles')).toEqual(new Date('2026-07-15T15:00:00Z'));
  });

  it('holds a message sent at 21:00 or later until 08:00 the next day', () => {
    expect(insideWindow(new Date('2026-07-16T00:59:00Z'), 'America/New_York')).toBe(true); // 20:59 EDT
    expect(insideWindow(new Date('2026-07-16T01:00:00Z'), 'America/New_York')).toBe(false); // 21:00 EDT
    expect(holdUntil('email', new Date('2026-07-16T01:00:00Z'), 'America/New_York')).toEqual(new Date('2026-07-16T12:00:00Z'));
  });

  it('never holds mail or the portal', () => {
    const night = new Date('2026-07-16T07:00:00Z'); // 03:00 EDT
    expect(holdUntil('mail', night, 'America/New_York')).toBeNull();
    expect(holdUntil('portal', night, 'America/New_York')).toBeNull();
  });

  it('opens the window at 08:00 local time across a daylight-saving change', () => {
    // Sat 7 Mar 2026 22:00 EST; clocks spring forward that night: 08:00 Sunday is EDT (12:00Z, not 13:00Z).
    expect(nextWindowOpen(new Date('2026-03-08T03:00:00Z'), 'America/New_York')).toEqual(new Date('2026-03-08T12:00:00Z'));
    // Sat 31 Oct 2026 23:00 EDT; fall back that night: 08:00 Sunday is EST (13:00Z).
    expect(nextWindowOpen(new Date('2026-11-01T03:00:00Z'), 'America/New_York')).toEqual(new Date('2026-11-01T13:00:00Z'));
    // Phoenix keeps no daylight saving time: 08:00 MST is 15:00Z all year.
    expect(nextWindowOpen(new Date('2026-03-08T05:00:00Z'), 'America/Phoenix')).toEqual(new Date('2026-03-08T15:00:00Z'));
  });

  it('reads the window in the zone of the guarantor, not of the server', () => {
    // 19:30Z: 20:30 in London (BST), 09:30 in Honolulu.
    const at = new Date('2026-06-01T19:30:00Z');
    expect(insideWindow(at, 'Europe/London')).toBe(true);
    expect(insideWindow(at, 'Pacific/Honolulu')).toBe(true);
    expect(insideWindow(new Date('2026-06-01T20:00:00Z'), 'Europe/London')).toBe(false);
  });
});
