import { X12Error, makeIssue } from './errors.js';
import type { SegmentReader } from './reader.js';

/** Receives the content segments of each transaction set of the wanted type. */
export interface TransactionHandler {
  /** Called at ST; `r` is positioned on the ST segment. */
  begin(r: SegmentReader, controlNumber: string): void;
  /** Called for every segment between ST and SE. */
  segment(r: SegmentReader): void;
  /** Called at SE (r on SE) or when the transaction ends without SE (r on the segment that ended it, or past the end). */
  end(r: SegmentReader): void;
}

function sameControl(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  if (x === y) return true;
  return /^\d+$/.test(x) && /^\d+$/.test(y) && Number(x) === Number(y);
}

function countOf(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

const acceptAll = (): boolean => true;

/** Envelope state of one walk; rare envelope segments are handled out of the hot loop. */
class Walker {
  private inIsa = false;
  private isaControl = '';
  private gsInIsa = 0;
  private inGs = false;
  private gsControl = '';
  private gsVersion = '';
  private stInGs = 0;
  private inSt = false;
  private stControl = '';
  private segCount = 0;
  private handled = false;
  txCount = 0;
  seenType = false;
  /** The first transaction set that was skipped (other type or implementation guide). */
  firstSkipped: { index: number; type: string; version: string } | undefined;

  constructor(
    private readonly r: SegmentReader,
    private readonly type: string,
    private readonly handler: TransactionHandler,
    private readonly acceptVersion: (version: string) => boolean,
  ) {}

  run(): void {
    const r = this.r;
    const handler = this.handler;
    while (r.next()) {
      const id = r.id;
      if (id === 'ISA' || id === 'GS' || id === 'ST' || id === 'SE' || id === 'GE' || id === 'IEA') {
        this.envelope(id);
      } else if (this.inSt) {
        this.segCount++;
        if (this.handled) handler.segment(r);
      } else {
        r.warn('segment-outside-transaction', `segment ${id} is outside a transaction set and is ignored`);
      }
    }
    if (this.inSt) this.closeSt('the end of the input');
    if (this.inGs) this.closeGs('the end of the input');
    if (this.inIsa) r.warnings.push(makeIssue('missing-iea', `interchange ${this.isaControl} has no IEA before the end of the input`, r.index, r.id));
  }

  private closeSt(why: string): void {
    const r = this.r;
    r.warnings.push(makeIssue('missing-se', `transaction ${this.stControl} has no SE before ${why}`, r.index, r.id, undefined, this.stControl));
    if (this.handled) this.handler.end(r);
    this.inSt = false;
    r.tx = undefined;
  }

  private closeGs(why: string): void {
    const r = this.r;
    r.warnings.push(makeIssue('missing-ge', `functional group ${this.gsControl} has no GE before ${why}`, r.index, r.id));
    this.inGs = false;
  }

  private envelope(id: string): void {
    const r = this.r;
    const warnings = r.warnings;
    switch (id) {
      case 'ISA': {
        if (this.inSt) this.closeSt('a new ISA');
        if (this.inGs) this.closeGs('a new ISA');
        if (this.inIsa) warnings.push(makeIssue('missing-iea', `interchange ${this.isaControl} has no IEA before the next ISA`, r.index, 'ISA'));
        this.inIsa = true;
        this.isaControl = r.str(13);
        this.gsInIsa = 0;
        return;
      }
      case 'GS': {
        if (this.inSt) this.closeSt('a new GS');
        if (this.inGs) this.closeGs('a new GS');
        if (!this.inIsa) warnings.push(makeIssue('segment-outside-transaction', 'GS outside an interchange (no ISA before it)', r.index, 'GS'));
        this.inGs = true;
        this.gsControl = r.str(6);
        this.gsVersion = r.str(8);
        this.stInGs = 0;
        this.gsInIsa++;
        return;
      }
      case 'ST': {
        if (this.inSt) this.closeSt('a new ST');
        if (!this.inGs) warnings.push(makeIssue('segment-outside-transaction', 'ST outside a functional group (no GS before it)', r.index, 'ST'));
        this.inSt = true;
        this.stInGs++;
        const control = r.str(2);
        this.stControl = control;
        r.tx = control;
        this.segCount = 1;
        const stType = r.str(1);
        const version = r.str(3) || this.gsVersion;
        if (stType === this.type) this.seenType = true;
        if (stType !== this.type || !this.acceptVersion(version)) {
          this.handled = false;
          this.firstSkipped ??= { index: r.index, type: stType, version };
          r.warn(
            'unexpected-transaction-type',
            `transaction ${control} is ${stType}${version ? ` (${version})` : ''}, not ${this.type}; it is skipped`,
            1,
          );
        } else {
          this.handled = true;
          this.txCount++;
          this.handler.begin(r, control);
        }
        return;
      }
      case 'SE': {
        if (!this.inSt) {
          r.warn('segment-outside-transaction', 'SE without a matching ST');
          return;
        }
        this.segCount++;
        const declared = r.str(1);
        if (countOf(declared) !== this.segCount) {
          r.warn('se-count-mismatch', `SE01 says ${declared || '(empty)'} segments, transaction ${this.stControl} has ${this.segCount}`, 1);
        }
        if (r.str(2) !== this.stControl) {
          r.warn('control-number-mismatch', `SE02 '${r.str(2)}' does not match ST02 '${this.stControl}'`, 2);
        }
        if (this.handled) this.handler.end(r);
        this.inSt = false;
        r.tx = undefined;
        return;
      }
      case 'GE': {
        if (this.inSt) this.closeSt('GE');
        if (!this.inGs) {
          r.warn('segment-outside-transaction', 'GE without a matching GS');
          return;
        }
        const declared = r.str(1);
        if (countOf(declared) !== this.stInGs) {
          r.warn('ge-count-mismatch', `GE01 says ${declared || '(empty)'} transactions, group ${this.gsControl} has ${this.stInGs}`, 1);
        }
        if (!sameControl(r.str(2), this.gsControl)) {
          r.warn('control-number-mismatch', `GE02 '${r.str(2)}' does not match GS06 '${this.gsControl}'`, 2);
        }
        this.inGs = false;
        return;
      }
      default: {
        // IEA
        if (this.inSt) this.closeSt('IEA');
        if (this.inGs) this.closeGs('IEA');
        if (!this.inIsa) {
          r.warn('segment-outside-transaction', 'IEA without a matching ISA');
          return;
        }
        const declared = r.str(1);
        if (countOf(declared) !== this.gsInIsa) {
          r.warn('iea-count-mismatch', `IEA01 says ${declared || '(empty)'} groups, interchange ${this.isaControl} has ${this.gsInIsa}`, 1);
        }
        if (!sameControl(r.str(2), this.isaControl)) {
          r.warn('control-number-mismatch', `IEA02 '${r.str(2)}' does not match ISA13 '${this.isaControl}'`, 2);
        }
        this.inIsa = false;
      }
    }
  }
}

/**
 * Walks ISA/GS/ST…SE/GE/IEA envelopes, checks counts and control numbers (problems are warnings,
 * the content stays readable), and hands the content of each transaction whose ST01 is `type`
 * (and whose implementation guide is accepted by `acceptVersion`) to the handler.
 * Throws X12Error `missing-isa` for empty input and `missing-st` when no such transaction exists, or,
 * when `wanted` describes the expected transaction, `wrong-transaction-type` when the input only holds
 * transaction sets of other types or guides (the error points at the first one's ST).
 */
export function walkTransactions(
  r: SegmentReader,
  type: string,
  handler: TransactionHandler,
  acceptVersion: (version: string) => boolean = acceptAll,
  wanted?: string,
): number {
  const w = new Walker(r, type, handler, acceptVersion);
  w.run();
  if (r.index === -1) {
    throw new X12Error(makeIssue('missing-isa', 'input is empty: no ISA segment', 0, ''));
  }
  const skipped = w.firstSkipped;
  if (w.txCount === 0 && wanted !== undefined && skipped !== undefined) {
    // with `wanted` (a description such as '999 (005010X231A1)'), input that only holds other
    // transaction types or implementation guides is named as such
    const found = `${skipped.type || '(empty ST01)'}${skipped.version ? ` (${skipped.version})` : ''}`;
    throw new X12Error(
      makeIssue('wrong-transaction-type', `the input holds ${found} transaction sets, not ${wanted}`, skipped.index, 'ST', 1),
    );
  }
  if (w.txCount === 0) {
    throw new X12Error(
      makeIssue(
        'missing-st',
        w.seenType ? `no readable ${type} transaction set in the input` : `no ${type} transaction set (ST*${type}) in the input`,
        Math.max(r.index, 0),
        r.id,
      ),
    );
  }
  return w.txCount;
}
