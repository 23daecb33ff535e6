// Quiet hours: nothing goes out by e-mail or SMS outside 08:00-21:00 on the guarantor's wall clock
// (FDCPA-style: no contact before 8 a.m. or after 9 p.m. local time). Mail and the portal are not
// contacts at a time of day and go out at once.
import { addDays, localDate, localDateTime, zonedInstant } from '@mso/kit';
import type { StatementChannel } from '@mso/contracts/collections';

export const WINDOW_OPENS = '08:00';
export const WINDOW_CLOSES = '21:00';
const OPEN_MINUTES = 8 * 60;
const CLOSE_MINUTES = 21 * 60;

/** Channels that reach a person at a time of day. */
export const timedChannel = (channel: StatementChannel): boolean => channel === 'email' || channel === 'sms';

/** Whether `at` is inside 08:00-21:00 (21:00 itself is outside) in `timeZone`. */
export function insideWindow(at: Date, timeZone: string): boolean {
  const l = localDateTime(at, timeZone);
  const minutes = l.hour * 60 + l.minute;
  return minutes >= OPEN_MINUTES && minutes < CLOSE_MINUTES;
}

/** The next instant the window opens after `at` (08:00 today when before it, else 08:00 tomorrow), in `timeZone`. */
export function nextWindowOpen(at: Date, timeZone: string): Date {
  const l = localDateTime(at, timeZone);
  const today = localDate(at, timeZone);
  const day = l.hour * 60 + l.minute < OPEN_MINUTES ? today : addDays(today, 1);
  return zonedInstant(day, WINDOW_OPENS, timeZone);
}

/**
 * When a message on `channel` may go out, asked at `at`: null when it may go now, else the instant
 * it is held until.
 */
export function holdUntil(channel: StatementChannel, at: Date, timeZone: string): Date | null {
  if (!timedChannel(channel) || insideWindow(at, timeZone)) return null;
  return nextWindowOpen(at, timeZone);
}
