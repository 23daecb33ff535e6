/**
 * Exact conversions between X12 text and values. No floating point is used for money.
 */

const MAX_INT_DIGITS = 13; // 13 integer digits + 2 decimals stay below Number.MAX_SAFE_INTEGER

/**
 * Parses an X12 decimal (R type) in `text[start, end)` as integer cents.
 * Accepts `34`, `34.5`, `-12.00`, `.5`, `34.` and extra decimals that are zeros (`12.500`).
 * Returns NaN for anything else: empty text, `1,000`, `+5`, `1e3`, spaces, more than two
 * significant decimals (`1.005`: never rounded), or more than 13 integer digits.
 */
export function parseCentsRange(text: string, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  let neg = false;
  let c = text.charCodeAt(i);
  if (c === 45 /* - */) {
    neg = true;
    i++;
  }
  let int = 0;
  let intDigits = 0;
  while (i < end) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    int = int * 10 + (c - 48);
    intDigits++;
    i++;
  }
  let frac = 0;
  let fracDigits = 0;
  if (i < end && c === 46 /* . */) {
    i++;
    while (i < end) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
      if (fracDigits < 2) frac = frac * 10 + (c - 48);
      else if (c !== 48) return NaN;
      fracDigits++;
      i++;
    }
  }
  if (i !== end || (intDigits === 0 && fracDigits === 0) || intDigits > MAX_INT_DIGITS) return NaN;
  if (fracDigits === 1) frac *= 10;
  const v = int * 100 + frac;
  return neg && v !== 0 ? -v : v;
}

/** Parses a decimal amount string as integer cents (see {@link parseCentsRange}); NaN when invalid. */
export function parseCents(text: string): number {
  return parseCentsRange(text, 0, text.length);
}

/**
 * Formats integer cents as an X12 decimal: no trailing zeros, no leading zero (`2`, `2.5`,
 * `520.24`, `.05`, `-12`). Throws a RangeError for non-integers.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount in cents must be a safe integer, got ${cents}`);
  const neg = cents < 0;
  const a = neg ? -cents : cents;
  const int = Math.floor(a / 100);
  const frac = a % 100;
  let s = int === 0 && frac !== 0 ? '' : String(int);
  if (frac !== 0) s += frac % 10 === 0 ? `.${frac / 10}` : frac < 10 ? `.0${frac}` : `.${frac}`;
  return neg ? `-${s}` : s;
}

/**
 * Parses an X12 decimal that is not money (units, quantities) in `text[start, end)`.
 * Same syntax as amounts, any number of decimals. Returns NaN when invalid.
 */
export function parseDecimalRange(text: string, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  if (text.charCodeAt(i) === 45) i++;
  let digits = 0;
  let dot = false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return NaN;
  }
  if (digits === 0) return NaN;
  const v = Number(text.slice(start, end));
  return v === 0 ? 0 : v;
}

/** Formats a non-money decimal (units): plain decimal notation, no exponent. */
export function formatDecimal(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`number must be finite, got ${n}`);
  let s = String(n);
  if (s.includes('e')) {
    s = n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
    if (s.includes('e') || Number(s) !== n) throw new RangeError(`number ${n} cannot be written exactly in decimal notation`);
  }
  if (s.startsWith('0.')) s = s.slice(1);
  else if (s.startsWith('-0.')) s = `-${s.slice(2)}`;
  return s;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const max = DAYS[m - 1] ?? 0;
  if (d > max) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return true;
}

const dateCache = new Map<number, string>();

/**
 * Parses a CCYYMMDD date in `text[start, start + 8)` (the range must be exactly 8 digits) into an
 * ISO `YYYY-MM-DD` string. Returns undefined when it is not a valid calendar date.
 */
export function parseDate8Range(text: string, start: number, end: number): string | undefined {
  if (end - start !== 8) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  const cached = dateCache.get(n);
  if (cached !== undefined) return cached;
  const y = Math.floor(n / 10000);
  const m = Math.floor(n / 100) % 100;
  const d = n % 100;
  if (!validYmd(y, m, d)) return undefined;
  const iso = `${text.slice(start, start + 4)}-${text.slice(start + 4, start + 6)}-${text.slice(start + 6, end)}`;
  if (dateCache.size < 20000) dateCache.set(n, iso);
  return iso;
}

/** CCYYMMDD → YYYY-MM-DD, undefined when invalid. */
export function parseDate8(text: string): string | undefined {
  return parseDate8Range(text, 0, text.length);
}

/** YYYY-MM-DD → CCYYMMDD; undefined when the text is not a valid ISO calendar date. */
export function isoToDate8(iso: string): string | undefined {
  if (iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) return undefined;
  const compact = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  return parseDate8(compact) === iso ? compact : undefined;
}
