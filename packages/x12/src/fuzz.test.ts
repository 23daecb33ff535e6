/**
 * Mutation fuzzing of every reader: each real sample file of ../shared/x12 and each fixture of this
 * package, damaged the ways files get damaged in transit and by careless senders, is fed to every
 * public reader. Each outcome must be a result or an X12Error that names where it is (segment
 * position and id); anything else, or a parse that does not finish within its budget, fails with the
 * seed and the shrunk input (replay: FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx vitest run src/fuzz.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  X12Error,
  formatCents,
  isValidNpi,
  isoToDate8,
  parse277,
  parse835,
  parse837P,
  parse999,
  parseCents,
  parseDate8,
  segments,
  tokenize,
  write837P,
  type Segment,
} from './index.js';
import { ACK_277, ACK_999 } from './testing/acknowledgments.js';
import { generate837P, generateRemittance835 } from './testing/index.js';

const SHARED = new URL('../../../../shared/x12/', import.meta.url);
const shared = readdirSync(SHARED)
  .filter((name) => name !== 'README.md')
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, SHARED), 'latin1') }));
const generated837 = generate837P({ claims: 3, seed: 7 });
const fixtures = [
  { name: 'fixture 277CA', text: ACK_277 },
  { name: 'fixture 999', text: ACK_999 },
  { name: 'generated 837P', text: generated837.text },
  { name: 'generated 835', text: generateRemittance835({ claims: generated837.claims, seed: 7 }).text },
];
const files = [...shared, ...fixtures];

const seed = Number(process.env.FUZZ_SEED ?? 20261202);
const factor = Number(process.env.FUZZ_RUNS_FACTOR ?? 1);
const runs = (n: number): number => Math.max(1, Math.round(n * factor));
/** Bounded by the number of runs; the timeout only stops a hang (and grows with FUZZ_RUNS_FACTOR). */
const timeout = 60_000 * Math.max(1, factor);

type Reader = { name: string; read: (input: string | Uint8Array) => unknown };
const readers: Reader[] = [
  { name: 'tokenize', read: (t) => tokenize(t) },
  { name: 'segments', read: (t) => [...segments(t)].length },
  { name: 'parse835', read: parse835 },
  { name: 'parse837P', read: parse837P },
  // what parse837P reads, write837P writes or refuses with an X12Error
  { name: 'parse837P → write837P', read: (t) => rewrite837(t) },
  { name: 'parse999', read: parse999 },
  { name: 'parse277', read: parse277 },
];

function rewrite837(input: string | Uint8Array): unknown {
  const { claims } = parse837P(input);
  if (claims.length === 0) return undefined;
  return write837P({
    submitter: { name: 'FUZZ CLINIC', id: 'SUB01', phone: '5555551212' },
    receiver: { name: 'CLEARINGHOUSE', id: 'CH01' },
    interchange: { senderId: 'SUB01', receiverId: 'CH01', controlNumber: 1, usage: 'T', date: '2024-03-01', time: '09:30' },
    claims,
  });
}

/** A hang guard, not a speed test: far above any real parse (a few ms for these files). */
const budgetMs = (input: string | Uint8Array): number => 2000 + input.length / 100;

/** The separators of a sample's first ISA: element, component (ISA16), repetition (ISA11), segment. */
function separatorsOf(text: string): string[] {
  const at = text.indexOf('ISA');
  const e = text.charAt(at + 3);
  const fields = text.slice(at).split(e);
  const isa16 = fields[16] ?? '';
  return [e, isa16.charAt(0), fields[11] ?? '', isa16.charAt(1)].filter((c) => c.length === 1);
}

type Mutation =
  | { kind: 'drop'; at: number; length: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'set'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'separator'; which: number; to: string; everywhere: boolean }
  | { kind: 'duplicate-segment'; at: number; times: number }
  | { kind: 'drop-segment'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'isa'; at: number; char: string }
  | { kind: 'element'; segment: number; element: number; value: string };

const chars = fc.constantFrom(...'*:~^>|!\\,;0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.- \r\n\t\u0000\u00ff\ufeff\u2028');
/** Element values that readers must refuse or read: empty, huge, negative, not numbers, not dates. */
const values = fc.constantFrom(
  '',
  '0',
  '-1',
  '-0',
  '.',
  '-',
  '1e5',
  '99999999999999999999',
  '9999999999999.99',
  '0.001',
  '12.500',
  'NaN',
  'Infinity',
  '20241301',
  '20240230',
  '00000000',
  '20240101-2023',
  'RD8',
  'D8',
  '13',
  '0:0:0',
  '1:2:3:4:5:6:7:8',
  '::::',
  'ZZ',
  ' ',
  'X'.repeat(300),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), char: chars }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: chars }),
  fc.record({ kind: fc.constant('separator' as const), which: fc.nat({ max: 3 }), to: chars, everywhere: fc.boolean() }),
  fc.record({ kind: fc.constant('duplicate-segment' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('drop-segment' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('isa' as const), at: fc.nat({ max: 110 }), char: chars }),
  fc.record({ kind: fc.constant('element' as const), segment: fc.nat(), element: fc.integer({ min: 1, max: 16 }), value: fc.oneof(values, fc.string({ maxLength: 12 })) }),
);

/** Segment boundaries of the text by its own terminator: [start, end) including the terminator. */
function segmentSpans(text: string): [number, number][] {
  const terminator = separatorsOf(text)[3] ?? '~';
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === terminator) {
      spans.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans;
}

function mutate(text: string, m: Mutation): string {
  const at = (n: number): number => n % (text.length + 1);
  switch (m.kind) {
    case 'drop':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'swap': {
      if (text.length < 2) return text;
      const [a, b] = [m.a % text.length, m.b % text.length].sort((x, y) => x - y) as [number, number];
      if (a === b) return text;
      return text.slice(0, a) + text[b] + text.slice(a + 1, b) + text[a] + text.slice(b + 1);
    }
    case 'set':
      return text.slice(0, at(m.at)) + m.char + text.slice(at(m.at) + 1);
    case 'insert':
      return text.slice(0, at(m.at)) + m.char + text.slice(at(m.at));
    case 'separator': {
      const from = separatorsOf(text)[m.which];
      if (!from) return text;
      if (m.everywhere) return text.split(from).join(m.to);
      // only the ISA declares another one: the rest of the file still uses the old separator
      const isa = text.indexOf('ISA');
      const offsets = [3, 104, 82, 105];
      const p = isa + (offsets[m.which] as number);
      return text.slice(0, p) + m.to + text.slice(p + 1);
    }
    case 'duplicate-segment': {
      const spans = segmentSpans(text);
      const span = spans[m.at % Math.max(1, spans.length)];
      if (!span) return text;
      const seg = text.slice(span[0], span[1]);
      return text.slice(0, span[1]) + seg.repeat(m.times) + text.slice(span[1]);
    }
    case 'drop-segment': {
      const spans = segmentSpans(text);
      const span = spans[m.at % Math.max(1, spans.length)];
      return span ? text.slice(0, span[0]) + text.slice(span[1]) : text;
    }
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'element': {
      const spans = segmentSpans(text);
      const span = spans[m.segment % Math.max(1, spans.length)];
      if (!span) return text;
      const [element, , , terminator] = separatorsOf(text);
      const seg = text.slice(span[0], span[1]);
      const ends = seg.endsWith(terminator ?? '~');
      const parts = (ends ? seg.slice(0, -1) : seg).split(element ?? '*');
      while (parts.length <= m.element) parts.push('');
      parts[m.element] = m.value;
      return text.slice(0, span[0]) + parts.join(element ?? '*') + (ends ? terminator : '') + text.slice(span[1]);
    }
    case 'isa': {
      const p = Math.max(0, text.indexOf('ISA')) + m.at;
      return text.slice(0, p) + m.char + text.slice(p + 1);
    }
  }
}

/** Runs one reader: a result, or an X12Error whose location is a segment of the input. */
function check(reader: Reader, input: string | Uint8Array): void {
  const started = performance.now();
  let error: unknown;
  try {
    reader.read(input);
  } catch (e) {
    error = e;
  }
  const elapsed = performance.now() - started;
  expect(elapsed, `${reader.name} took ${Math.round(elapsed)} ms`).toBeLessThan(budgetMs(input));
  if (error === undefined) return;
  if (!(error instanceof X12Error)) throw new Error(`${reader.name} threw ${String(error)}`, { cause: error });
  expect(error.code).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
  expect(error.message.length).toBeGreaterThan(0);
  expect(Number.isInteger(error.segmentIndex) && error.segmentIndex >= 0, `${error.code} at segment ${error.segmentIndex}`).toBe(true);
  expect(typeof error.segmentId).toBe('string');
  if (error.elementIndex !== undefined) expect(Number.isInteger(error.elementIndex) && error.elementIndex >= 0).toBe(true);
  if (reader.name.includes('write837P')) return; // positions in the written text, not the input
  // the location is where the segment is: its position and id agree with the tokenized input
  let segs: Segment[] | undefined;
  try {
    segs = tokenize(input);
  } catch {
    segs = undefined;
  }
  if (segs && error.segmentId !== '' && error.segmentIndex < segs.length) {
    expect(segs[error.segmentIndex]?.id, `${reader.name}: ${error.code} names segment ${error.segmentIndex} ${error.segmentId}`).toBe(error.segmentId);
  }
  if (segs) expect(error.segmentIndex).toBeLessThanOrEqual(segs.length);
}

const file = fc.nat({ max: files.length - 1 });

const oddStrings = fc.constantFrom('', ' ', 'ZZ', 'abk', '*', ':', '^', '~', '\n', '\r\n', 'A*B', 'é', '😀', 'X'.repeat(200), '2024-02-30', '20240215', '-1', 'null');
const oddNumbers = fc.constantFrom(0, -1, -0, 0.5, 1.005, 1e-7, 1e-21, 1e15, 1e21, -1e21, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity, -Infinity, 13, 99);

/** Paths (a.b.0.c) of the string and number leaves of a value. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string' || typeof value === 'number') return [prefix];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Replaces the leaf at `path` with an odd value of its own type. */
function setLeaf(root: unknown, path: string, string: string, number: number): void {
  const keys = path.split('.');
  let at = root as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  at[last] = typeof at[last] === 'number' ? number : string;
}

describe('mutated X12 files: a result or an X12Error with its location, nothing else, every parse bounded', () => {
  it('reads every sample of ../shared/x12 and every fixture undamaged', () => {
    expect(shared.length).toBeGreaterThanOrEqual(5);
    for (const f of files) for (const r of readers) check(r, f.text);
  });

  it('survives bytes dropped, swapped, set and inserted, separators changed, segments duplicated or dropped, element values replaced, truncation and ISA damage', () => {
    fc.assert(
      fc.property(file, fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) => {
        const text = mutations.reduce(mutate, files[which]!.text);
        for (const r of readers) check(r, text);
      }),
      { seed, numRuns: runs(600) },
    );
  }, timeout);

  it('survives each separator swapped for another character throughout the file', () => {
    fc.assert(
      fc.property(file, fc.nat({ max: 3 }), chars, (which, w, to) => {
        const text = mutate(files[which]!.text, { kind: 'separator', which: w, to, everywhere: true });
        for (const r of readers) check(r, text);
      }),
      { seed, numRuns: runs(200) },
    );
  }, timeout);

  it('survives damaged bytes: invalid UTF-8, stray byte-order marks and NULs', () => {
    fc.assert(
      fc.property(file, fc.array(fc.record({ at: fc.nat(), byte: fc.constantFrom(0x00, 0x80, 0xc3, 0xe2, 0xef, 0xbb, 0xbf, 0xff, 0x7e, 0x2a) }), { minLength: 1, maxLength: 6 }), (which, edits) => {
        const bytes = new TextEncoder().encode(files[which]!.text);
        for (const e of edits) bytes[e.at % bytes.length] = e.byte;
        for (const r of readers) check(r, bytes);
      }),
      { seed, numRuns: runs(200) },
    );
  }, timeout);

  it('survives files cut into pieces and glued back in another order, and concatenated interchanges', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ which: file, from: fc.nat(), to: fc.nat() }), { minLength: 1, maxLength: 4 }), (pieces) => {
        const text = pieces
          .map(({ which, from, to }) => {
            const t = files[which]!.text;
            const [a, b] = [from % (t.length + 1), to % (t.length + 1)].sort((x, y) => x - y) as [number, number];
            return t.slice(a, b);
          })
          .join('');
        for (const r of readers) check(r, text);
      }),
      { seed, numRuns: runs(200) },
    );
  }, timeout);

  it('reads arbitrary text after a valid ISA', () => {
    const isa = (files[0]!.text.match(/ISA.{103}/s) ?? [''])[0];
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'*:~^>|ABCDEFGHIKLMNOPQRSTVXZ0123456789. \n'), maxLength: 400 }), (tail) => {
        for (const r of readers) check(r, isa + tail);
      }),
      { seed, numRuns: runs(300) },
    );
  }, timeout);

  it('writes claims with odd values, or refuses them with an X12Error; what it writes reads back', () => {
    const base = generated837.claims;
    const leaves = leafPaths(base[0]);
    fc.assert(
      fc.property(fc.array(fc.record({ path: fc.constantFrom(...leaves), string: oddStrings, number: oddNumbers }), { minLength: 1, maxLength: 3 }), (edits) => {
        const claims = structuredClone(base);
        for (const e of edits) setLeaf(claims[0], e.path, e.string, e.number);
        let text: string | undefined;
        try {
          text = write837P({
            submitter: { name: 'FUZZ CLINIC', id: 'SUB01', phone: '5555551212' },
            receiver: { name: 'CLEARINGHOUSE', id: 'CH01' },
            interchange: { senderId: 'SUB01', receiverId: 'CH01', controlNumber: 1, usage: 'T', date: '2024-03-01', time: '09:30' },
            claims,
          });
        } catch (e) {
          if (!(e instanceof X12Error)) throw new Error(`write837P threw ${String(e)}`, { cause: e });
          expect(e.segmentIndex).toBeGreaterThanOrEqual(0);
          return;
        }
        // what write837P accepts, parse837P reads back: without an error, the same claims (-0 reads as 0)
        expect(parse837P(text).claims).toEqual(JSON.parse(JSON.stringify(claims)));
      }),
      { seed, numRuns: runs(400) },
    );
  }, timeout);

  it('keeps the value readers total: a value, NaN or undefined for any text, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.integer(), (text, n) => {
        const cents = parseCents(text);
        expect(Number.isNaN(cents) || Number.isSafeInteger(cents)).toBe(true);
        const date = parseDate8(text);
        expect(date === undefined || /^\d{4}-\d{2}-\d{2}$/.test(date)).toBe(true);
        const back = isoToDate8(text);
        expect(back === undefined || /^\d{8}$/.test(back)).toBe(true);
        expect(typeof isValidNpi(text)).toBe('boolean');
        expect(parseCents(formatCents(n))).toBe(n);
      }),
      { seed, numRuns: runs(1000) },
    );
  }, timeout);
});
