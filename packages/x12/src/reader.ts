import { X12Error, makeIssue, type X12Issue, type X12IssueCode } from './errors.js';
import { parseCentsRange, parseDate8Range, parseDecimalRange } from './values.js';

/** Delimiters of one interchange, read from its ISA header. */
export interface Separators {
  /** Element separator: the 4th character of ISA. */
  element: string;
  /** Component (sub-element) separator: ISA16. */
  component: string;
  /** Repetition separator: ISA11 when ISA12 is 00402 or later; undefined otherwise. */
  repetition: string | undefined;
  /** Segment terminator: the character after ISA16. */
  segment: string;
}

const BOM = 0xfeff;
const ISA_LENGTH = 106;
const ISA_SCAN_LIMIT = 400;

const ID_CACHE = new Map<number, string>();
const KNOWN_IDS = [
  'ISA', 'IEA', 'GS', 'GE', 'ST', 'SE', 'TA1', 'BPR', 'TRN', 'CUR', 'REF', 'DTM', 'N1', 'N2', 'N3', 'N4', 'PER', 'RDM',
  'LX', 'TS3', 'TS2', 'CLP', 'CAS', 'NM1', 'MIA', 'MOA', 'AMT', 'QTY', 'SVC', 'LQ', 'PLB', 'BHT', 'HL', 'PRV', 'SBR',
  'DMG', 'PAT', 'CLM', 'DTP', 'PWK', 'CN1', 'K3', 'NTE', 'CR1', 'CR2', 'CR3', 'CRC', 'HI', 'HCP', 'SV1', 'SV5', 'MEA',
  'PS1', 'LIN', 'CTP', 'OI', 'SVD', 'FRM', 'AK1', 'AK2', 'IK3', 'IK4', 'IK5', 'AK9', 'CTX', 'STC',
];

function idKey(a: number, b: number, c: number): number {
  return (a << 16) | (b << 8) | c;
}
for (const id of KNOWN_IDS) {
  ID_CACHE.set(idKey(id.charCodeAt(0), id.charCodeAt(1), id.length === 3 ? id.charCodeAt(2) : 0), id);
}

/** Segment identifiers are interned so that comparisons are cheap and nothing is allocated per segment. */
function internId(t: string, s: number, e: number): string {
  const n = e - s;
  if (n === 2 || n === 3) {
    const a = t.charCodeAt(s);
    const b = t.charCodeAt(s + 1);
    const c = n === 3 ? t.charCodeAt(s + 2) : 0;
    // ASCII only; a NUL third character would collide with a two-character id
    if (a < 128 && b < 128 && c < 128 && (n === 2 || c !== 0)) {
      const k = idKey(a, b, c);
      const v = ID_CACHE.get(k);
      if (v !== undefined) return v;
      const id = t.slice(s, e);
      if (ID_CACHE.size < 2048) ID_CACHE.set(k, id);
      return id;
    }
  }
  return t.slice(s, e);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Turns the input into text. Bytes are decoded as UTF-8 (a byte-order mark is dropped); bytes that
 * are not valid UTF-8 are read as Windows-1252 instead, with a warning.
 */
export function inputText(input: string | Uint8Array, warnings?: X12Issue[]): string {
  if (typeof input === 'string') return input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    warnings?.push(makeIssue('invalid-character', 'input is not valid UTF-8; it is read as Windows-1252 (Latin-1)', 0, ''));
    return new TextDecoder('windows-1252').decode(input);
  }
}

/**
 * A forward-only cursor over the segments of X12 text. It makes one pass over the characters and
 * records element boundaries in a reused Int32Array; element values are only materialised when
 * asked for. Separators are taken from each ISA header, so several interchanges with different
 * delimiters can follow each other.
 */
export class SegmentReader {
  readonly text: string;
  private pos: number;
  /** 0-based index of the current segment in the input. */
  index = -1;
  /** Current segment identifier ('' before the first call to next()). */
  id = '';
  /** Number of data elements of the current segment (XX01…XXnn). */
  count = 0;
  /** Control number of the enclosing transaction set, used in issues. */
  tx: string | undefined;
  separators: Separators | undefined;
  private bounds = new Int32Array(128);
  /** Short codes seen in this input, shared instead of allocated for every segment. */
  private codes = new Map<number, string>();
  private el = -1;
  private co = -1;
  private sg = -1;
  readonly warnings: X12Issue[];

  constructor(input: string | Uint8Array, warnings: X12Issue[] = []) {
    this.text = inputText(input, warnings);
    this.pos = this.text.charCodeAt(0) === BOM ? 1 : 0;
    this.warnings = warnings;
  }

  /** Character offset of the current segment's first character. */
  get offset(): number {
    return this.bounds[0] ?? 0;
  }

  /** Moves to the next segment. Returns false at the end of the input. */
  next(): boolean {
    const t = this.text;
    const len = t.length;
    let p = this.pos;
    for (;;) {
      for (; p < len; p++) {
        const c = t.charCodeAt(p);
        if (c > 32 && c !== BOM) break; // layout between segments, and the byte-order marks of concatenated files
      }
      if (p >= len) {
        this.pos = len;
        return false;
      }
      if (t.charCodeAt(p) === 73 && t.charCodeAt(p + 1) === 83 && t.charCodeAt(p + 2) === 65 && p + 3 < len && !isAlnum(t.charCodeAt(p + 3))) {
        this.readIsa(p);
        return true;
      }
      if (this.sg === -1) {
        let q = p;
        while (q < len && q - p < 3 && isAlnum(t.charCodeAt(q))) q++;
        const found = t.slice(p, q);
        throw new X12Error(
          makeIssue('missing-isa', `input must start with an ISA segment, found '${t.slice(p, p + 20)}'`, this.index + 1, found),
        );
      }
      if (t.charCodeAt(p) === this.sg) {
        this.warnings.push(makeIssue('empty-segment', `empty segment at character ${p}`, this.index + 1, '', undefined, this.tx));
        p++;
        continue;
      }
      break;
    }
    this.split(p, len);
    return true;
  }

  /** Splits the segment starting at p; stops at the segment terminator or at `limit`. */
  private split(p: number, limit: number): void {
    const t = this.text;
    const el = this.el;
    const sg = this.sg;
    let b = this.bounds;
    let k = 0;
    b[0] = p;
    let q = p;
    for (; q < limit; q++) {
      const c = t.charCodeAt(q);
      if (c === el) {
        b[k + 1] = q;
        k += 2;
        if (k + 2 > b.length) {
          const nb = new Int32Array(b.length * 2);
          nb.set(b);
          this.bounds = b = nb;
        }
        b[k] = q + 1;
      } else if (c === sg) break;
    }
    let end = q;
    // a trailing CR/LF before the terminator (or at end of input) is layout, not data
    while (end > (b[k] ?? p) && (t.charCodeAt(end - 1) === 10 || t.charCodeAt(end - 1) === 13)) end--;
    b[k + 1] = end;
    this.count = k >> 1;
    this.index++;
    this.id = internId(t, p, b[1] ?? p);
    if (q >= limit) {
      this.pos = limit;
      this.warnings.push(
        makeIssue('missing-segment-terminator', `segment ${this.id} is not terminated by '${String.fromCharCode(sg)}'`, this.index, this.id, undefined, this.tx),
      );
    } else {
      this.pos = q + 1;
    }
  }

  /** Reads an ISA header at p: takes its separators, then splits it. */
  private readIsa(p: number): void {
    const t = this.text;
    const e = t.charCodeAt(p + 3);
    const index = this.index + 1;
    const fail = (message: string): never => {
      throw new X12Error(makeIssue('invalid-isa', message, index, 'ISA'));
    };
    if (e <= 32 || e === 127) fail('ISA element separator (4th character) must be a visible, non-alphanumeric character');
    const eChar = String.fromCharCode(e);
    let q = p + 3;
    for (let n = 1; n < 16; n++) {
      q = t.indexOf(eChar, q + 1);
      if (q === -1 || q - p > ISA_SCAN_LIMIT) fail('ISA segment does not have 16 elements');
    }
    if (q + 2 >= t.length) fail('ISA segment is truncated: no component separator (ISA16) and segment terminator');
    const co = t.charCodeAt(q + 1);
    const sg = t.charCodeAt(q + 2);
    if (isAlnum(co) || co === e || co <= 32) fail(`ISA16 component separator '${String.fromCharCode(co)}' is not usable`);
    if (isAlnum(sg) || sg === e || sg === co || sg === 32) {
      fail(`segment terminator after ISA16 '${String.fromCharCode(sg)}' is not usable`);
    }
    this.el = e;
    this.co = co;
    this.sg = sg;
    this.split(p, q + 3);
    const version = this.str(12);
    const rep = this.str(11);
    const repCode = rep.charCodeAt(0);
    const hasRep =
      rep.length === 1 && version >= '00402' && !isAlnum(repCode) && repCode > 32 && repCode !== e && repCode !== co && repCode !== sg;
    this.separators = {
      element: eChar,
      component: String.fromCharCode(co),
      repetition: hasRep ? rep : undefined,
      segment: String.fromCharCode(sg),
    };
    if (q + 3 - p !== ISA_LENGTH) {
      this.warnings.push(
        makeIssue('isa-length', `ISA segment is ${q + 3 - p} characters long, expected ${ISA_LENGTH} (fixed width)`, this.index, 'ISA'),
      );
    }
  }

  // ---- element access (i is the 1-based element position) ----

  /** True when element i is present and not empty. */
  has(i: number): boolean {
    if (i > this.count || i < 1) return false;
    const b = this.bounds;
    return (b[2 * i] as number) < (b[2 * i + 1] as number);
  }

  /** Element i as text ('' when absent). */
  str(i: number): string {
    if (i > this.count || i < 1) return '';
    const b = this.bounds;
    const s = b[2 * i] as number;
    const e = b[2 * i + 1] as number;
    return s === e ? '' : this.text.slice(s, e);
  }

  /**
   * Text in [s, e), shared with equal earlier values when it is a short code (up to 5 characters
   * of 0-9/A-Z: qualifiers, reason and remark codes, procedure codes and modifiers).
   */
  private intern(s: number, e: number): string {
    const n = e - s;
    if (n === 0) return '';
    const t = this.text;
    if (n <= 5) {
      let key = 0;
      let i = s;
      for (; i < e; i++) {
        const c = t.charCodeAt(i);
        const v = c >= 48 && c <= 57 ? c - 47 : c >= 65 && c <= 90 ? c - 54 : 0;
        if (v === 0) break;
        key = key * 37 + v;
      }
      if (i === e) {
        const hit = this.codes.get(key);
        if (hit !== undefined) return hit;
        const v = t.slice(s, e);
        this.codes.set(key, v);
        return v;
      }
    }
    return t.slice(s, e);
  }

  /** Element i as text, shared with equal short codes of the input ('' when absent). */
  code(i: number): string {
    if (i > this.count || i < 1) return '';
    const b = this.bounds;
    return this.intern(b[2 * i] as number, b[2 * i + 1] as number);
  }

  /** Element i as text, undefined when absent or empty. */
  opt(i: number): string | undefined {
    if (i > this.count || i < 1) return undefined;
    const b = this.bounds;
    const s = b[2 * i] as number;
    const e = b[2 * i + 1] as number;
    return s === e ? undefined : this.text.slice(s, e);
  }

  /** Element i compared with a literal without allocating. */
  is(i: number, value: string): boolean {
    if (i > this.count || i < 1) return value === '';
    const b = this.bounds;
    const s = b[2 * i] as number;
    const e = b[2 * i + 1] as number;
    if (e - s !== value.length) return false;
    return this.text.startsWith(value, s);
  }

  /** Components of composite element i ([] when absent). Trailing empty components are dropped. */
  components(i: number): string[] {
    if (!this.has(i)) return [];
    const b = this.bounds;
    const s = b[2 * i] as number;
    const e = b[2 * i + 1] as number;
    const out: string[] = [];
    const t = this.text;
    let start = s;
    for (let q = s; q < e; q++) {
      if (t.charCodeAt(q) === this.co) {
        out.push(t.slice(start, q));
        start = q + 1;
      }
    }
    out.push(t.slice(start, e));
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }

  private cb = new Int32Array(64);

  /**
   * Splits composite element i without allocating; returns the number of components (0 when the
   * element is empty). Read them with {@link component}; valid until the next call.
   */
  splitComposite(i: number): number {
    if (!this.has(i)) return 0;
    const b = this.bounds;
    const s = b[2 * i] as number;
    const e = b[2 * i + 1] as number;
    const t = this.text;
    const co = this.co;
    let cb = this.cb;
    let n = 0;
    cb[0] = s;
    for (let q = s; q < e; q++) {
      if (t.charCodeAt(q) === co) {
        cb[2 * n + 1] = q;
        n++;
        if (2 * n + 2 > cb.length) {
          const nb = new Int32Array(cb.length * 2);
          nb.set(cb);
          this.cb = cb = nb;
        }
        cb[2 * n] = q + 1;
      }
    }
    cb[2 * n + 1] = e;
    return n + 1;
  }

  /** Component k (0-based) of the composite last split by {@link splitComposite}. */
  component(k: number): string {
    return this.intern(this.cb[2 * k] as number, this.cb[2 * k + 1] as number);
  }

  /** Whether composite element i contains the component separator. */
  hasComponentSeparator(i: number): boolean {
    if (!this.has(i)) return false;
    const b = this.bounds;
    const s = b[2 * i] as number;
    const e = b[2 * i + 1] as number;
    const q = this.text.indexOf(String.fromCharCode(this.co), s);
    return q !== -1 && q < e;
  }

  /** Element i as integer cents; throws X12Error (missing-element / invalid-amount). */
  cents(i: number): number {
    if (!this.has(i)) throw this.error('missing-element', `${this.id}${pad2(i)} (amount) is required`, i);
    const b = this.bounds;
    const v = parseCentsRange(this.text, b[2 * i] as number, b[2 * i + 1] as number);
    if (Number.isNaN(v)) throw this.error('invalid-amount', `${this.id}${pad2(i)} '${this.str(i)}' is not a valid amount`, i);
    return v;
  }

  /** Element i as integer cents, undefined when empty; throws X12Error on invalid text. */
  optCents(i: number): number | undefined {
    return this.has(i) ? this.cents(i) : undefined;
  }

  /** Element i as a decimal number (units, quantities), undefined when empty; throws on invalid text. */
  optNumber(i: number): number | undefined {
    if (!this.has(i)) return undefined;
    const b = this.bounds;
    const v = parseDecimalRange(this.text, b[2 * i] as number, b[2 * i + 1] as number);
    if (Number.isNaN(v)) throw this.error('invalid-number', `${this.id}${pad2(i)} '${this.str(i)}' is not a valid number`, i);
    return v;
  }

  /** Element i as a CCYYMMDD date → ISO; undefined (and a warning) when empty or invalid. */
  date(i: number, what: string): string | undefined {
    if (!this.has(i)) {
      this.warn('missing-element', `${this.id}${pad2(i)} (${what}) is empty`, i);
      return undefined;
    }
    const b = this.bounds;
    const v = parseDate8Range(this.text, b[2 * i] as number, b[2 * i + 1] as number);
    if (v === undefined) this.warn('invalid-date', `${this.id}${pad2(i)} '${this.str(i)}' (${what}) is not a valid CCYYMMDD date`, i);
    return v;
  }

  /** All elements of the current segment as strings (index 0 is element 1). */
  elements(): string[] {
    const out: string[] = [];
    for (let i = 1; i <= this.count; i++) out.push(this.str(i));
    return out;
  }

  /** The raw text of the current segment without its terminator. */
  raw(): string {
    const b = this.bounds;
    return this.text.slice(b[0] as number, b[2 * this.count + 1] as number);
  }

  error(code: X12IssueCode, message: string, elementIndex?: number): X12Error {
    return new X12Error(makeIssue(code, message, this.index, this.id, elementIndex, this.tx));
  }

  warn(code: X12IssueCode, message: string, elementIndex?: number): void {
    this.warnings.push(makeIssue(code, message, this.index, this.id, elementIndex, this.tx));
  }
}

export function pad2(i: number): string {
  return i < 10 ? `0${i}` : String(i);
}

/** One tokenized segment, for tooling. `elements[0]` is element 01. */
export interface Segment {
  index: number;
  id: string;
  elements: string[];
  separators: Separators;
}

/**
 * Iterates over the segments of X12 text (any transaction type). Separators are read from each
 * ISA. Layout issues (ISA not 106 characters, missing terminator…) are pushed to `warnings`.
 */
export function* segments(input: string | Uint8Array, warnings: X12Issue[] = []): Generator<Segment> {
  const r = new SegmentReader(input, warnings);
  while (r.next()) {
    yield { index: r.index, id: r.id, elements: r.elements(), separators: r.separators as Separators };
  }
}

/** Splits X12 text into segments and elements. See {@link segments}. */
export function tokenize(input: string | Uint8Array, warnings: X12Issue[] = []): Segment[] {
  return [...segments(input, warnings)];
}
