import { describe, expect, it } from 'vitest';
import { X12Error, tokenize, type X12Issue } from './index.js';
import { isaSegment, joinSegments } from './testing/fixtures.js';

const SEGMENTS = [
  isaSegment(7),
  'GS*HP*SENDER*RECEIVER*20240301*1200*7*X*005010X221A1',
  'ST*835*0001',
  'SVC*HC:99213:25*100*80',
  'SE*3*0001',
  'GE*1*7',
  'IEA*1*000000007',
];

function shape(text: string | Uint8Array) {
  const warnings: X12Issue[] = [];
  const segs = tokenize(text, warnings);
  return { segs: segs.map((s) => [s.id, ...s.elements]), warnings };
}

describe('tokenize', () => {
  const plain = shape(joinSegments(SEGMENTS));

  it('splits segments and elements with the separators of the ISA', () => {
    expect(plain.warnings).toEqual([]);
    expect(plain.segs).toHaveLength(7);
    expect(plain.segs[3]).toEqual(['SVC', 'HC:99213:25', '100', '80']);
    const segs = tokenize(joinSegments(SEGMENTS));
    expect(segs[0]?.separators).toEqual({ element: '*', component: ':', repetition: '^', segment: '~' });
    expect(segs.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('tolerates a byte-order mark, CR/LF and indentation between segments', () => {
    const text = `\uFEFF${joinSegments(SEGMENTS, { after: '\r\n', before: '    ' })}`;
    expect(shape(text)).toEqual(plain);
    const bytes = new TextEncoder().encode(`\uFEFF${joinSegments(SEGMENTS, { after: '\n', before: '\t' })}`);
    expect(bytes[0]).toBe(0xef);
    expect(shape(bytes)).toEqual(plain);
  });

  it('reads non-default separators, including a line feed as segment terminator', () => {
    const pipes = joinSegments(SEGMENTS, { element: '|', component: '>', repetition: '!', segment: '\n' });
    expect(pipes).toContain('SVC|HC>99213>25|100|80\n');
    const t = tokenize(pipes);
    expect(t[0]?.separators).toEqual({ element: '|', component: '>', repetition: '!', segment: '\n' });
    expect(shape(pipes).segs.map((s) => s.join('*'))).toEqual(plain.segs.map((s) => s.join('*').replace('HC:99213:25', 'HC>99213>25').replace(/\^/, '!').replace(/\*:$/, '*>')));
    // CR/LF after a line-feed terminator leaves no stray CR in the data
    const crlf = joinSegments(SEGMENTS, { element: '|', component: '>', repetition: '!', segment: '\r', after: '\n' });
    expect(shape(crlf).segs[3]).toEqual(['SVC', 'HC>99213>25', '100', '80']);
  });

  it('takes the separators of each interchange (several ISA with different delimiters)', () => {
    const a = joinSegments(SEGMENTS);
    const b = joinSegments(SEGMENTS, { element: '^', component: '\\', repetition: '{', segment: "'" });
    const t = tokenize(a + '\n' + b);
    expect(t).toHaveLength(14);
    expect(t[10]?.elements).toEqual(['HC\\99213\\25', '100', '80']);
    expect(t[10]?.separators.component).toBe('\\');
    expect(t[3]?.elements[0]).toBe('HC:99213:25');
  });

  it('keeps characters that are another file’s separators as data', () => {
    const segs = [...SEGMENTS];
    segs[3] = 'SVC*HC>99213|X~Y*100*80';
    const text = joinSegments(segs.slice(0, 3)) + 'SVC*HC>99213|X' + "'" + 'Y*100*80~' + joinSegments(segs.slice(4));
    expect(shape(text).segs[3]).toEqual(['SVC', "HC>99213|X'Y", '100', '80']);
  });

  it('warns when the ISA is not 106 characters or the last segment has no terminator', () => {
    const short = SEGMENTS.map((s, i) => (i === 0 ? s.replace('SENDER         ', 'SENDER') : s));
    const text = joinSegments(short).slice(0, -1);
    const { warnings, segs } = shape(text);
    expect(segs).toHaveLength(7);
    expect(warnings.map((w) => [w.code, w.segmentIndex, w.segmentId])).toEqual([
      ['isa-length', 0, 'ISA'],
      ['missing-segment-terminator', 6, 'IEA'],
    ]);
  });

  it('reports input that does not start with ISA, and an unreadable ISA', () => {
    const notIsa = () => tokenize('GS*HP*A*B~ST*835*1~');
    expect(notIsa).toThrow(X12Error);
    try {
      notIsa();
    } catch (e) {
      expect(e).toMatchObject({ code: 'missing-isa', segmentIndex: 0, segmentId: 'GS' });
    }
    expect(() => tokenize('ISA*00*short~')).toThrow(expect.objectContaining({ code: 'invalid-isa', segmentId: 'ISA' }));
    expect(() => tokenize('ISA100')).toThrow(expect.objectContaining({ code: 'missing-isa' }));
    expect(tokenize('  \r\n')).toEqual([]);
  });

  it('reads concatenated files that each start with a byte-order mark', () => {
    const one = `\uFEFF${joinSegments(SEGMENTS, { after: '\r\n' })}`;
    const both = shape(one + one);
    expect(both.warnings).toEqual([]);
    expect(both.segs).toEqual([...plain.segs, ...plain.segs]);
    expect(shape(new TextEncoder().encode(one + one)).segs).toHaveLength(14);
  });

  it('reads bytes that are not UTF-8 as Windows-1252, with a warning', () => {
    const text = joinSegments(SEGMENTS.map((s) => (s.startsWith('SVC') ? 'NM1*QC*1*JOS\u00c9' : s)));
    const latin1 = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const { segs, warnings } = shape(latin1);
    expect(segs[3]).toEqual(['NM1', 'QC', '1', 'JOS\u00c9']);
    expect(warnings).toEqual([expect.objectContaining({ code: 'invalid-character', segmentIndex: 0 })]);
    // the same text in UTF-8 reads without warning
    expect(shape(new TextEncoder().encode(text))).toEqual({ segs, warnings: [] });
  });

  it('reports empty segments', () => {
    const warnings: X12Issue[] = [];
    const segs = tokenize(joinSegments(SEGMENTS).replace('~ST', '~~ST'), warnings);
    expect(segs).toHaveLength(7);
    expect(warnings).toEqual([expect.objectContaining({ code: 'empty-segment', segmentIndex: 2 })]);
  });
});
