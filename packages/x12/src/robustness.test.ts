import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { X12Error, parse277, parse835, parse837P, parse999, tokenize } from './index.js';

const SHARED = new URL('../../../../shared/x12/', import.meta.url);
const samples = readdirSync(SHARED)
  .filter((name) => name !== 'README.md')
  .map((name) => readFileSync(new URL(name, SHARED), 'latin1'));

type Edit = { at: number; kind: 'replace' | 'delete' | 'insert'; char: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'delete', 'insert'),
  char: fc.constantFrom(...'*:~^>|0123456789ABCDEFGHIJ.- \r\n'),
});

function apply(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const p = e.at % (t.length + 1);
    if (e.kind === 'replace') t = t.slice(0, p) + e.char + t.slice(p + 1);
    else if (e.kind === 'delete') t = t.slice(0, p) + t.slice(p + 1);
    else t = t.slice(0, p) + e.char + t.slice(p);
  }
  return t;
}

describe('damaged input never crashes the readers', () => {
  it('any edit of a sample file gives a result or an X12Error, never another exception', () => {
    expect(samples.length).toBeGreaterThanOrEqual(5);
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 5 }), (which, edits) => {
        const text = apply(samples[which] as string, edits);
        for (const read of [parse835, parse837P, parse999, parse277, tokenize] as ((t: string) => unknown)[]) {
          try {
            read(text);
          } catch (e) {
            expect(e).toBeInstanceOf(X12Error);
            const err = e as X12Error;
            expect(err.code).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
            expect(Number.isInteger(err.segmentIndex) && err.segmentIndex >= 0).toBe(true);
          }
        }
      }),
      { numRuns: 1500 },
    );
  }, 90_000);

  it('every warning names a segment position and a kebab-case code', () => {
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
        const text = apply(samples[which] as string, edits);
        for (const read of [parse835, parse837P]) {
          try {
            for (const w of read(text).warnings) {
              expect(w.code).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
              expect(w.segmentIndex).toBeGreaterThanOrEqual(0);
              expect(typeof w.segmentId).toBe('string');
              expect(w.message.length).toBeGreaterThan(0);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(X12Error);
          }
        }
      }),
      { numRuns: 500 },
    );
  }, 90_000);
});
