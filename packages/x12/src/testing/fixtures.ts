/**
 * Helpers that build X12 text for tests. Segments are written with the default delimiters
 * (`*` element, `:` component, `^` repetition) and translated to the wanted ones.
 */
import { X12Error } from '../errors.js';

export interface Delimiters {
  element?: string;
  component?: string;
  repetition?: string;
  segment?: string;
  /** Text written after each segment terminator (e.g. '\r\n'). */
  after?: string;
  /** Text written before each segment (e.g. indentation). */
  before?: string;
}


function translate(segment: string, d: Required<Omit<Delimiters, 'after' | 'before'>>): string {
  let out = '';
  for (const ch of segment) {
    if (ch === '*') out += d.element;
    else if (ch === ':') out += d.component;
    else if (ch === '^') out += d.repetition;
    else out += ch;
  }
  return out;
}

/** A fixed-width (106 characters) ISA segment text without its terminator, default delimiters. */
export function isaSegment(control: number, usage = 'T', sender = 'SENDER', receiver = 'RECEIVER'): string {
  return [
    'ISA',
    '00',
    '          ',
    '00',
    '          ',
    'ZZ',
    sender.padEnd(15, ' '),
    'ZZ',
    receiver.padEnd(15, ' '),
    '240301',
    '1200',
    '^',
    '00501',
    String(control).padStart(9, '0'),
    '0',
    usage,
    ':',
  ].join('*');
}

/** Joins segments (default delimiters) into X12 text with the given delimiters. */
export function joinSegments(segments: string[], delimiters: Delimiters = {}): string {
  const d = {
    element: delimiters.element ?? '*',
    component: delimiters.component ?? ':',
    repetition: delimiters.repetition ?? '^',
    segment: delimiters.segment ?? '~',
  };
  const before = delimiters.before ?? '';
  const after = delimiters.after ?? '';
  return segments.map((s) => before + translate(s, d) + d.segment + after).join('');
}

export interface EnvelopeOptions {
  type?: '835' | '837' | '999' | '277';
  control?: number;
  stControl?: string;
  /** Override SE01 (default: the correct count). */
  seCount?: number;
  version?: string;
}

const VERSIONS = { '835': '005010X221A1', '837': '005010X222A1', '999': '005010X231A1', '277': '005010X214' } as const;
const FUNCTIONAL_IDS = { '835': 'HP', '837': 'HC', '999': 'FA', '277': 'HN' } as const;

/** Wraps transaction content in ISA/GS/ST…SE/GE/IEA (one transaction) as a list of segments. */
export function envelope(body: string[], options: EnvelopeOptions = {}): string[] {
  const type = options.type ?? '835';
  const control = options.control ?? 1;
  const st = options.stControl ?? '0001';
  const version = options.version ?? VERSIONS[type];
  const seCount = options.seCount ?? body.length + 2;
  return [
    isaSegment(control),
    `GS*${FUNCTIONAL_IDS[type]}*SENDER*RECEIVER*20240301*1200*${control}*X*${version}`,
    type === '835' ? `ST*835*${st}` : `ST*${type}*${st}*${version}`,
    ...body,
    `SE*${seCount}*${st}`,
    `GE*1*${control}`,
    `IEA*1*${String(control).padStart(9, '0')}`,
  ];
}

/** 835 header segments (BPR…N1*PE, LX) with the given payment amount. */
export function header835(paymentAmount: string, extra: { plb?: boolean } = {}): string[] {
  void extra;
  return [
    `BPR*I*${paymentAmount}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240301`,
    'TRN*1*TRACE0001*1512345678',
    'DTM*405*20240302',
    'N1*PR*TEST PAYER*XV*PAYER01',
    'N3*1 MAIN ST',
    'N4*SPRINGFIELD*IL*62701',
    'N1*PE*TEST CLINIC*XX*1234567893',
    'REF*TJ*987654321',
    'LX*1',
  ];
}

/** The X12Error `fn` throws; fails the test when it throws something else or nothing. */
export function thrown(fn: () => unknown): X12Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof X12Error) return e;
    throw e;
  }
  throw new Error('expected an X12Error');
}
