/**
 * Business calendars: working hours on given weekdays in an IANA time zone, minus holidays. Used for
 * service levels (helpdesk), payment terms and filing deadlines (billing, collections), pay periods (HR).
 *
 * Pure functions over instants (`Date`); time zone rules come from `Intl` (no dependency). A local
 * time that does not exist (spring-forward gap) moves forward by the gap (02:30 becomes 03:30); an
 * ambiguous one (fall-back overlap) resolves to the earlier instant.
 */

/** Local working hours: `start`/`end` as `HH:MM` (`end` may be `24:00`), on ISO weekdays (1 = Monday ... 7 = Sunday). */
export interface WorkingHours {
  start: string;
  end: string;
  days: readonly number[];
}

export interface BusinessCalendarSpec {
  /** IANA time zone, e.g. `America/New_York`. */
  timeZone: string;
  workingHours: WorkingHours;
  /** Local calendar dates (`YYYY-MM-DD`) with no working hours. */
  holidays?: readonly string[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A calendar with no working day at all within this many days is refused rather than looped over. */
const MAX_SCAN_DAYS = 3_700;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `Intl` knows the IANA time zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `timeZone` at instant `at`. */
export function localDateTime(at: Date | number, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(typeof at === 'number' ? at : at.getTime())) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** UTC offset of `timeZone` at instant `t`, in ms (local = UTC + offset). */
function offsetAt(t: number, timeZone: string): number {
  const l = localDateTime(t, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The local calendar date (`YYYY-MM-DD`) in `timeZone` at instant `at`. */
export function localDate(at: Date | number, timeZone: string): string {
  const l = localDateTime(at, timeZone);
  return formatDate(l.year, l.month, l.day);
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-4]):([0-5]\d)$/;

function parseDate(date: string): [number, number, number] {
  const m = datePattern.exec(date);
  if (!m) throw new RangeError(`invalid date "${date}" (use YYYY-MM-DD)`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function parseTime(time: string): number {
  const m = timePattern.exec(time);
  if (!m) throw new RangeError(`invalid time "${time}" (use HH:MM)`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 24 * 60) throw new RangeError(`invalid time "${time}"`);
  return minutes;
}

/** Calendar date arithmetic: `YYYY-MM-DD` plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY);
  return formatDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** ISO weekday of a calendar date: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  const [y, m, d] = parseDate(date);
  const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return w === 0 ? 7 : w;
}

/**
 * The instant at which the wall clock in `timeZone` reads `date` `time` (`HH:MM`, `24:00` = the
 * next midnight).
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = parseDate(date);
  const minutes = parseTime(time);
  const local = Date.UTC(y, m - 1, d) + minutes * MINUTE;
  // The offsets a day either side bracket at most one transition; a candidate is right when the
  // zone's offset at it is the one used to get it.
  const before = local - offsetAt(local - DAY, timeZone);
  const after = local - offsetAt(local + DAY, timeZone);
  const valid = [before, after].filter((t) => offsetAt(t, timeZone) === local - t);
  const t = valid.length ? Math.min(...valid) : before;
  return new Date(t);
}

/** A business calendar: open and close instants per local day, business time arithmetic. */
export class BusinessCalendar {
  readonly timeZone: string;
  readonly workingHours: WorkingHours;
  readonly holidays: ReadonlySet<string>;
  private readonly startMinutes: number;
  private readonly endMinutes: number;
  private readonly days: ReadonlySet<number>;

  constructor(spec: BusinessCalendarSpec) {
    if (!isValidTimeZone(spec.timeZone)) throw new RangeError(`unknown time zone "${spec.timeZone}"`);
    this.startMinutes = parseTime(spec.workingHours.start);
    this.endMinutes = parseTime(spec.workingHours.end);
    if (this.startMinutes >= this.endMinutes) {
      throw new RangeError(`working hours must start before they end (${spec.workingHours.start}-${spec.workingHours.end})`);
    }
    if (spec.workingHours.days.length === 0 || spec.workingHours.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
      throw new RangeError('working days are ISO weekdays 1 (Monday) to 7 (Sunday), at least one');
    }
    for (const h of spec.holidays ?? []) parseDate(h);
    this.timeZone = spec.timeZone;
    this.workingHours = { start: spec.workingHours.start, end: spec.workingHours.end, days: [...new Set(spec.workingHours.days)].sort() };
    this.days = new Set(spec.workingHours.days);
    this.holidays = new Set(spec.holidays ?? []);
  }

  /** Open every minute of every day (24x7) in `timeZone`. */
  static always(timeZone = 'UTC'): BusinessCalendar {
    return new BusinessCalendar({ timeZone, workingHours: { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7] } });
  }

  /** True when the local date is a working weekday and not a holiday. */
  isWorkingDay(date: string): boolean {
    return this.days.has(isoWeekday(date)) && !this.holidays.has(date);
  }

  /** The open and close instants of a local date, or null when it is not a working day. */
  window(date: string): { open: Date; close: Date } | null {
    if (!this.isWorkingDay(date)) return null;
    return {
      open: zonedInstant(date, minutesToTime(this.startMinutes), this.timeZone),
      close: zonedInstant(date, minutesToTime(this.endMinutes), this.timeZone),
    };
  }

  /** True when `at` falls within working hours. */
  isOpen(at: Date): boolean {
    const w = this.window(localDate(at, this.timeZone));
    return !!w && at >= w.open && at < w.close;
  }

  /** The first instant at or after `at` within working hours. */
  nextOpen(at: Date): Date {
    return this.addBusinessTime(at, 0, true);
  }

  /**
   * The instant when `ms` of business time have passed after `from` (time outside working hours
   * does not count). `ms` must be >= 0; adding 0 returns `from` unchanged.
   */
  addBusinessTime(from: Date, ms: number, snapToOpen = false): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`business time to add must be >= 0, got ${ms}`);
    if (ms === 0 && !snapToOpen) return new Date(from.getTime());
    let remaining = ms;
    let date = localDate(from, this.timeZone);
    // The local day before, too: its window cannot reach into today unless it ends at 24:00, but the
    // start instant may fall before today's local midnight after a DST shift. Cheap to check.
    date = addDays(date, -1);
    for (let i = 0; i < MAX_SCAN_DAYS; i++, date = addDays(date, 1)) {
      const w = this.window(date);
      if (!w || w.close.getTime() <= from.getTime()) continue;
      const start = Math.max(from.getTime(), w.open.getTime());
      const available = w.close.getTime() - start;
      if (remaining <= available && !(remaining === 0 && available === 0)) return new Date(start + remaining);
      remaining -= available;
    }
    throw new RangeError(`no working time within ${MAX_SCAN_DAYS} days of ${from.toISOString()}`);
  }

  /** Business time between two instants, in ms; negative when `to` is before `from`. */
  businessTimeBetween(from: Date, to: Date): number {
    if (to.getTime() < from.getTime()) return -this.businessTimeBetween(to, from);
    let total = 0;
    const end = localDate(to, this.timeZone);
    let date = addDays(localDate(from, this.timeZone), -1);
    for (let i = 0; i < MAX_SCAN_DAYS * 10 && date <= end; i++, date = addDays(date, 1)) {
      const w = this.window(date);
      if (!w) continue;
      const a = Math.max(from.getTime(), w.open.getTime());
      const b = Math.min(to.getTime(), w.close.getTime());
      if (b > a) total += b - a;
    }
    return total;
  }

  /** {@link addBusinessTime} in minutes. */
  addBusinessMinutes(from: Date, minutes: number): Date {
    return this.addBusinessTime(from, minutes * MINUTE);
  }

  /** {@link businessTimeBetween} in whole minutes (rounded toward zero). */
  businessMinutesBetween(from: Date, to: Date): number {
    return Math.trunc(this.businessTimeBetween(from, to) / MINUTE);
  }

  /** Length of working time on a local date, in minutes (0 on non-working days; DST days included). */
  workingMinutesOn(date: string): number {
    const w = this.window(date);
    return w ? (w.close.getTime() - w.open.getTime()) / MINUTE : 0;
  }

  toSpec(): BusinessCalendarSpec {
    return { timeZone: this.timeZone, workingHours: { ...this.workingHours, days: [...this.workingHours.days] }, holidays: [...this.holidays].sort() };
  }
}

function minutesToTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
