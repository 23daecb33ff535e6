import { X12Error, makeIssue, type X12Issue } from './errors.js';
import { walkTransactions, type TransactionHandler } from './envelope.js';
import { SegmentReader, pad2 } from './reader.js';
import type {
  AcknowledgmentStatus,
  ElementError999,
  ErrorContext999,
  GroupAcknowledgment,
  Parse999Result,
  TransactionSetAcknowledgment,
  TransactionSetError999,
} from './types999.js';

/**
 * IK501 transaction set / AK901 functional group acknowledgment codes (code 717/715).
 *
 * | code | meaning                                                        | status               |
 * |------|----------------------------------------------------------------|----------------------|
 * | A    | accepted                                                       | accepted             |
 * | E    | accepted, but errors were noted                                | accepted-with-errors |
 * | P    | partially accepted, at least one transaction set rejected (AK9)| partially-accepted   |
 * | M    | rejected, message authentication code (MAC) failed             | rejected             |
 * | R    | rejected                                                       | rejected             |
 * | W    | rejected, assurance failed validity tests                      | rejected             |
 * | X    | rejected, content after decryption could not be analyzed       | rejected             |
 */
export const ACKNOWLEDGMENT_CODES: Readonly<Record<string, AcknowledgmentStatus>> = {
  A: 'accepted',
  E: 'accepted-with-errors',
  P: 'partially-accepted',
  M: 'rejected',
  R: 'rejected',
  W: 'rejected',
  X: 'rejected',
};

/** IK304 implementation segment syntax error codes. */
export const SEGMENT_ERROR_CODES: Readonly<Record<string, string>> = {
  '1': 'unrecognized segment ID',
  '2': 'unexpected segment',
  '3': 'required segment missing',
  '4': 'loop occurs over maximum times',
  '5': 'segment exceeds maximum use',
  '6': 'segment not in defined transaction set',
  '7': 'segment not in proper sequence',
  '8': 'segment has data element errors',
  I4: 'implementation "not used" segment present',
  I6: 'implementation dependent segment missing',
  I7: 'implementation loop occurs under minimum times',
  I8: 'implementation segment below minimum use',
  I9: 'implementation dependent "not used" segment present',
};

/** IK403 implementation data element syntax error codes. */
export const ELEMENT_ERROR_CODES: Readonly<Record<string, string>> = {
  '1': 'required data element missing',
  '2': 'conditional required data element missing',
  '3': 'too many data elements',
  '4': 'data element too short',
  '5': 'data element too long',
  '6': 'invalid character in data element',
  '7': 'invalid code value',
  '8': 'invalid date',
  '9': 'invalid time',
  '10': 'exclusion condition violated',
  '12': 'too many repetitions',
  '13': 'too many components',
  I6: 'code value not used in implementation',
  I9: 'implementation dependent data element missing',
  I10: 'implementation "not used" data element present',
  I11: 'implementation too few repetitions',
  I12: 'implementation pattern match failure',
  I13: 'implementation dependent "not used" data element present',
};

/** IK502–IK506 implementation transaction set syntax error codes. */
export const TRANSACTION_SET_ERROR_CODES: Readonly<Record<string, string>> = {
  '1': 'transaction set not supported',
  '2': 'transaction set trailer missing',
  '3': 'transaction set control number in header and trailer do not match',
  '4': 'number of included segments does not match actual count',
  '5': 'one or more segments in error',
  '6': 'missing or invalid transaction set identifier',
  '7': 'missing or invalid transaction set control number',
  '8': 'authentication key name unknown',
  '9': 'encryption key name unknown',
  '10': 'requested service (authentication or encrypted) not available',
  '11': 'unknown security recipient',
  '12': 'incorrect message length (encryption only)',
  '13': 'message authentication code failed',
  '15': 'unknown security originator',
  '16': 'syntax error in decrypted text',
  '17': 'security not supported',
  '18': 'transaction set not in functional group',
  '19': 'invalid transaction set implementation convention reference',
  '23': 'transaction set control number not unique within the functional group',
  '24': 'S3E security end segment missing for S3S security start segment',
  '25': 'S3S security start segment missing for S3E security end segment',
  '26': 'S4E security end segment missing for S4S security start segment',
  '27': 'S4S security start segment missing for S4E security end segment',
  I5: 'implementation one or more segments in error',
  I6: 'implementation convention not supported',
};

/** AK905–AK909 functional group syntax error codes (the usual ones). */
export const GROUP_ERROR_CODES: Readonly<Record<string, string>> = {
  '1': 'functional group not supported',
  '2': 'functional group version not supported',
  '3': 'functional group trailer missing',
  '4': 'group control number in the functional group header and trailer do not agree',
  '5': 'number of included transaction sets does not match actual count',
  '6': 'group control number violates syntax',
};

const SITUATIONAL_TRIGGER = 'SITUATIONAL TRIGGER';

/** Element i (or a component text) as a non-negative integer; throws X12Error when required and absent, or not a number. */
function integer(r: SegmentReader, text: string, i: number, what: string, required: true): number;
function integer(r: SegmentReader, text: string, i: number, what: string, required: false): number | undefined;
function integer(r: SegmentReader, text: string, i: number, what: string, required: boolean): number | undefined {
  if (text === '') {
    if (required) throw r.error('missing-element', `${r.id}${pad2(i)} (${what}) is required`, i);
    return undefined;
  }
  if (!/^\d{1,9}$/.test(text)) throw r.error('invalid-number', `${r.id}${pad2(i)} '${text}' (${what}) is not a whole number`, i);
  return Number(text);
}

function statusOf(r: SegmentReader, i: number, what: string, allowed: string): { status: AcknowledgmentStatus; code: string } {
  const code = r.code(i);
  if (code === '') throw r.error('missing-element', `${r.id}${pad2(i)} (${what}) is required`, i);
  const status = ACKNOWLEDGMENT_CODES[code];
  if (status === undefined || !allowed.includes(code)) {
    throw r.error('invalid-code', `${r.id}${pad2(i)} '${code}' is not a ${what} (${allowed.split('').join(', ')})`, i);
  }
  return { status, code };
}

/** Syntax error codes in elements from..to, checked against their table (unknown codes are kept, with a warning). */
function codeList(r: SegmentReader, from: number, to: number, table: Readonly<Record<string, string>>, what: string): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    if (!r.has(i)) continue;
    const c = r.code(i);
    if (table[c] === undefined) r.warn('invalid-code', `${r.id}${pad2(i)} '${c}' is not a known ${what}; it is kept as sent`, i);
    out.push(c);
  }
  return out;
}

interface OpenSegmentError {
  base: TransactionSetError999;
  contexts: ErrorContext999[];
  elements: { element: ElementError999; contexts: ErrorContext999[] }[];
}

interface OpenGroup {
  functionalIdCode: string;
  groupControlNumber: string;
  version: string | undefined;
  index: number;
}

class Handler999 implements TransactionHandler {
  readonly groups: GroupAcknowledgment[] = [];
  readonly transactionSets: TransactionSetAcknowledgment[] = [];
  private readonly warnings: X12Issue[];
  private control = '';
  private group: OpenGroup | undefined;
  /** The open AK2 loop (undefined before the first AK2 of a group and after its IK5). */
  private set: TransactionSetAcknowledgment | undefined;
  private setIndex = 0;
  private segmentError: OpenSegmentError | undefined;

  constructor(warnings: X12Issue[]) {
    this.warnings = warnings;
  }

  begin(_r: SegmentReader, controlNumber: string): void {
    this.control = controlNumber;
    this.group = undefined;
    this.set = undefined;
    this.segmentError = undefined;
  }

  private unexpected(r: SegmentReader, where: string): void {
    r.warn('unexpected-segment', `segment ${r.id} is not expected ${where}; it is ignored`);
  }

  segment(r: SegmentReader): void {
    switch (r.id) {
      case 'AK1':
        return this.ak1(r);
      case 'AK2':
        return this.ak2(r);
      case 'IK3':
        return this.ik3(r);
      case 'CTX':
        return this.ctx(r);
      case 'IK4':
        return this.ik4(r);
      case 'IK5':
        return this.ik5(r);
      case 'AK9':
        return this.ak9(r);
      default:
        return this.unexpected(r, 'in a 999');
    }
  }

  private ak1(r: SegmentReader): void {
    this.closeSet(r);
    if (this.group) {
      this.warnings.push(
        makeIssue('missing-segment', `group ${this.group.groupControlNumber} has no AK9 before the next AK1; it is not in the result`, r.index, 'AK1', undefined, this.control),
      );
    }
    if (!r.has(1)) throw r.error('missing-element', 'AK101 (functional identifier code) is required', 1);
    if (!r.has(2)) throw r.error('missing-element', 'AK102 (group control number) is required', 2);
    this.group = { functionalIdCode: r.code(1), groupControlNumber: r.str(2), version: r.opt(3), index: r.index };
  }

  private ak2(r: SegmentReader): void {
    this.closeSet(r);
    if (!this.group) return this.unexpected(r, 'before AK1');
    if (!r.has(1)) throw r.error('missing-element', 'AK201 (transaction set identifier code) is required', 1);
    if (!r.has(2)) throw r.error('missing-element', 'AK202 (transaction set control number) is required', 2);
    const set: TransactionSetAcknowledgment = {
      acknowledgmentControlNumber: this.control,
      groupControlNumber: this.group.groupControlNumber,
      transactionSetId: r.code(1),
      controlNumber: r.str(2),
      status: 'accepted',
      code: '',
      syntaxErrors: [],
      errors: [],
    };
    const ref = r.opt(3);
    if (ref !== undefined) set.implementationReference = ref;
    this.set = set;
    this.setIndex = r.index;
  }

  private ik3(r: SegmentReader): void {
    if (!this.set) return this.unexpected(r, 'outside an AK2 loop');
    this.flushSegmentError();
    if (!r.has(1)) throw r.error('missing-element', 'IK301 (segment id code) is required', 1);
    const position = integer(r, r.str(2), 2, 'segment position in transaction set', true);
    const loopId = r.opt(3);
    if (!r.has(4)) throw r.error('missing-element', 'IK304 (segment syntax error code) is required', 4);
    const code = r.code(4);
    if (SEGMENT_ERROR_CODES[code] === undefined) r.warn('invalid-code', `IK304 '${code}' is not a known segment syntax error code; it is kept as sent`, 4);
    const base: TransactionSetError999 =
      loopId === undefined ? { segmentId: r.str(1), position, code } : { segmentId: r.str(1), position, loopId, code };
    this.segmentError = { base, contexts: [], elements: [] };
  }

  private ctx(r: SegmentReader): void {
    const se = this.segmentError;
    if (!se) return this.unexpected(r, 'outside an IK3 loop');
    const n = r.splitComposite(1);
    const name = n > 0 ? r.component(0) : '';
    const value = n > 1 ? r.component(1) : '';
    if (name === '') throw r.error('missing-element', 'CTX01-1 (context name) is required', 1);
    const lastElement = se.elements[se.elements.length - 1];
    if (name === SITUATIONAL_TRIGGER) {
      const c: ErrorContext999 = { name };
      if (r.has(2)) c.segmentId = r.str(2);
      const position = integer(r, r.str(3), 3, 'segment position in transaction set', false);
      if (position !== undefined) c.position = position;
      if (r.has(4)) c.loopId = r.str(4);
      const elementPosition = integer(r, r.components(5)[0] ?? '', 5, 'element position in segment', false);
      if (elementPosition !== undefined) c.elementPosition = elementPosition;
      const reference = r.components(6)[0];
      if (reference !== undefined && reference !== '') c.reference = reference;
      (lastElement ? lastElement.contexts : se.contexts).push(c);
      return;
    }
    // business unit identifier: CTX*CLM01:<patient control number>
    if (lastElement) return this.unexpected(r, `(CTX*${name}) after IK4: a business unit identifier belongs right after its IK3`);
    if (value === '') throw r.error('missing-element', `CTX01-2 (business unit identifier of ${name}) is required`, 1);
    if (se.base.businessUnit) r.warn('unexpected-segment', `IK3 has a second business unit identifier (CTX*${name}); the first is kept`, 1);
    else {
      se.base.businessUnit = { name, value };
      if (name === 'CLM01') se.base.claimControlNumber = value;
    }
  }

  private ik4(r: SegmentReader): void {
    const se = this.segmentError;
    if (!se) return this.unexpected(r, 'outside an IK3 loop');
    const parts = r.components(1);
    const element: ElementError999 = { position: integer(r, parts[0] ?? '', 1, 'element position in segment', true), code: '' };
    const component = integer(r, parts[1] ?? '', 1, 'component position', false);
    if (component !== undefined) element.componentPosition = component;
    const repetition = integer(r, parts[2] ?? '', 1, 'repeating element position', false);
    if (repetition !== undefined) element.repetitionPosition = repetition;
    if (r.has(2)) element.reference = r.str(2);
    if (!r.has(3)) throw r.error('missing-element', 'IK403 (element syntax error code) is required', 3);
    element.code = r.code(3);
    if (ELEMENT_ERROR_CODES[element.code] === undefined) r.warn('invalid-code', `IK403 '${element.code}' is not a known element syntax error code; it is kept as sent`, 3);
    const bad = r.opt(4);
    if (bad !== undefined) element.badData = bad;
    se.elements.push({ element, contexts: [] });
  }

  private ik5(r: SegmentReader): void {
    const set = this.set;
    if (!set) return this.unexpected(r, 'outside an AK2 loop');
    this.flushSegmentError();
    const { status, code } = statusOf(r, 1, 'transaction set acknowledgment code', 'AEMRWX');
    set.status = status;
    set.code = code;
    set.syntaxErrors = codeList(r, 2, 6, TRANSACTION_SET_ERROR_CODES, 'transaction set syntax error code');
    if (status === 'accepted' && set.errors.length > 0) {
      r.warn('inconsistent-acknowledgment', `IK501 is A (accepted) but transaction set ${set.controlNumber} has ${set.errors.length} errors`, 1);
    }
    this.transactionSets.push(set);
    this.set = undefined;
  }

  private ak9(r: SegmentReader): void {
    this.closeSet(r);
    const g = this.group;
    if (!g) return this.unexpected(r, 'without AK1');
    const { status, code } = statusOf(r, 1, 'functional group acknowledgment code', 'AEPMRWX');
    const group: GroupAcknowledgment = {
      acknowledgmentControlNumber: this.control,
      functionalIdCode: g.functionalIdCode,
      groupControlNumber: g.groupControlNumber,
      status,
      code,
      includedCount: integer(r, r.str(2), 2, 'number of included transaction sets', true),
      receivedCount: integer(r, r.str(3), 3, 'number of received transaction sets', true),
      acceptedCount: integer(r, r.str(4), 4, 'number of accepted transaction sets', true),
      syntaxErrors: codeList(r, 5, 9, GROUP_ERROR_CODES, 'functional group syntax error code'),
    };
    if (g.version !== undefined) group.version = g.version;
    this.pushGroup(r, group);
    this.group = undefined;
  }

  private pushGroup(r: SegmentReader, group: GroupAcknowledgment): void {
    let acknowledged = 0;
    let accepted = 0;
    for (const s of this.transactionSets) {
      if (s.acknowledgmentControlNumber !== group.acknowledgmentControlNumber || s.groupControlNumber !== group.groupControlNumber) continue;
      acknowledged++;
      if (s.status !== 'rejected') accepted++;
    }
    if (acknowledged > 0 && accepted !== group.acceptedCount) {
      r.warn('inconsistent-acknowledgment', `AK904 says ${group.acceptedCount} accepted transaction sets, the IK5s of group ${group.groupControlNumber} accept ${accepted}`, 4);
    }
    this.groups.push(group);
  }

  /** Ends the open IK3 loop: one error per IK4, or one for an IK3 without IK4. */
  private flushSegmentError(): void {
    const se = this.segmentError;
    const set = this.set;
    this.segmentError = undefined;
    if (!se || !set) return;
    if (se.elements.length === 0) {
      const e = { ...se.base };
      if (se.contexts.length > 0) e.contexts = se.contexts;
      set.errors.push(e);
      return;
    }
    for (const { element, contexts } of se.elements) {
      const e: TransactionSetError999 = { ...se.base };
      const all = contexts.length > 0 ? [...se.contexts, ...contexts] : se.contexts;
      if (all.length > 0) e.contexts = all;
      e.element = element;
      set.errors.push(e);
    }
  }

  /** An AK2 loop must end with IK5: without it the transaction set's outcome is unknown. */
  private closeSet(r: SegmentReader): void {
    const set = this.set;
    if (!set) return;
    throw new X12Error(
      makeIssue(
        'missing-segment',
        `AK2 loop of transaction set ${set.controlNumber} (segment ${this.setIndex}) has no IK5 (acknowledgment code) before ${r.id || 'the end of the input'}`,
        r.index,
        r.id,
        undefined,
        this.control,
      ),
    );
  }

  end(r: SegmentReader): void {
    this.closeSet(r);
    if (this.group) {
      this.warnings.push(
        makeIssue('missing-segment', `group ${this.group.groupControlNumber} has no AK9 (group response); it is not in the result`, r.index, r.id, undefined, this.control),
      );
      this.group = undefined;
    }
  }
}

function acceptImplementation(version: string): boolean {
  return version === '' || version.startsWith('005010X231');
}

/**
 * Parses 999 implementation acknowledgments (005010X231A1): one group acknowledgment per AK1…AK9
 * and one transaction set acknowledgment per AK2…IK5, with their IK3/CTX/IK4 errors. Envelope
 * problems are warnings; unreadable content (a missing IK5, an unknown IK501/AK901) throws X12Error.
 */
export function parse999(input: string | Uint8Array): Parse999Result {
  const warnings: X12Issue[] = [];
  const r = new SegmentReader(input, warnings);
  const h = new Handler999(warnings);
  walkTransactions(r, '999', h, acceptImplementation, '999 (005010X231A1 implementation acknowledgment)');
  return { groups: h.groups, transactionSets: h.transactionSets, warnings };
}
