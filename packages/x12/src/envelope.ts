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

/**
 * Walks ISA/GS/ST…SE/GE/IEA envelopes, checks counts and control numbers (problems are warnings,
 * the content stays readable), and hands the content of each transaction whose ST01 is `type`
 * (and whose implementation guide is accepted by `acceptVersion`) to the handler.
 * Throws X12Error `missing-st` when no such transaction exists.
 */
export function walkTransactions(
  r: SegmentReader,
  type: string,
  handler: TransactionHandler,
  acceptVersion: (version: string) => boolean = () => true,
): number {
  const warnings = r.warnings;
  let inIsa = false;
  let isaControl = '';
  let gsInIsa = 0;
  let inGs = false;
  let gsControl = '';
  let gsVersion = '';
  let stInGs = 0;
  let inSt = false;
  let stControl = '';
  let segCount = 0;
  let handled = false;
  let txCount = 0;
  let seenType = false;

  const closeSt = (why: string): void => {
    warnings.push(makeIssue('missing-se', `transaction ${stControl} has no SE before ${why}`, r.index, r.id, undefined, stControl));
    if (handled) handler.end(r);
    inSt = false;
    r.tx = undefined;
  };
  const closeGs = (why: string): void => {
    warnings.push(makeIssue('missing-ge', `functional group ${gsControl} has no GE before ${why}`, r.index, r.id));
    inGs = false;
  };

  while (r.next()) {
    const id = r.id;
    switch (id) {
      case 'ISA': {
        if (inSt) closeSt('a new ISA');
        if (inGs) closeGs('a new ISA');
        if (inIsa) warnings.push(makeIssue('missing-iea', `interchange ${isaControl} has no IEA before the next ISA`, r.index, 'ISA'));
        inIsa = true;
        isaControl = r.str(13);
        gsInIsa = 0;
        break;
      }
      case 'GS': {
        if (inSt) closeSt('a new GS');
        if (inGs) closeGs('a new GS');
        if (!inIsa) warnings.push(makeIssue('segment-outside-transaction', 'GS outside an interchange (no ISA before it)', r.index, 'GS'));
        inGs = true;
        gsControl = r.str(6);
        gsVersion = r.str(8);
        stInGs = 0;
        gsInIsa++;
        break;
      }
      case 'ST': {
        if (inSt) closeSt('a new ST');
        if (!inGs) warnings.push(makeIssue('segment-outside-transaction', 'ST outside a functional group (no GS before it)', r.index, 'ST'));
        inSt = true;
        stInGs++;
        stControl = r.str(2);
        r.tx = stControl;
        segCount = 1;
        const stType = r.str(1);
        const version = r.str(3) || gsVersion;
        if (stType === type) seenType = true;
        if (stType !== type || !acceptVersion(version)) {
          handled = false;
          r.warn(
            'unexpected-transaction-type',
            `transaction ${stControl} is ${stType}${version ? ` (${version})` : ''}, not ${type}; it is skipped`,
            1,
          );
        } else {
          handled = true;
          txCount++;
          handler.begin(r, stControl);
        }
        break;
      }
      case 'SE': {
        if (!inSt) {
          r.warn('segment-outside-transaction', 'SE without a matching ST');
          break;
        }
        segCount++;
        const declared = r.str(1);
        if (countOf(declared) !== segCount) {
          r.warn('se-count-mismatch', `SE01 says ${declared || '(empty)'} segments, transaction ${stControl} has ${segCount}`, 1);
        }
        if (r.str(2) !== stControl) {
          r.warn('control-number-mismatch', `SE02 '${r.str(2)}' does not match ST02 '${stControl}'`, 2);
        }
        if (handled) handler.end(r);
        inSt = false;
        r.tx = undefined;
        break;
      }
      case 'GE': {
        if (inSt) closeSt('GE');
        if (!inGs) {
          r.warn('segment-outside-transaction', 'GE without a matching GS');
          break;
        }
        const declared = r.str(1);
        if (countOf(declared) !== stInGs) {
          r.warn('ge-count-mismatch', `GE01 says ${declared || '(empty)'} transactions, group ${gsControl} has ${stInGs}`, 1);
        }
        if (!sameControl(r.str(2), gsControl)) {
          r.warn('control-number-mismatch', `GE02 '${r.str(2)}' does not match GS06 '${gsControl}'`, 2);
        }
        inGs = false;
        break;
      }
      case 'IEA': {
        if (inSt) closeSt('IEA');
        if (inGs) closeGs('IEA');
        if (!inIsa) {
          r.warn('segment-outside-transaction', 'IEA without a matching ISA');
          break;
        }
        const declared = r.str(1);
        if (countOf(declared) !== gsInIsa) {
          r.warn('iea-count-mismatch', `IEA01 says ${declared || '(empty)'} groups, interchange ${isaControl} has ${gsInIsa}`, 1);
        }
        if (!sameControl(r.str(2), isaControl)) {
          r.warn('control-number-mismatch', `IEA02 '${r.str(2)}' does not match ISA13 '${isaControl}'`, 2);
        }
        inIsa = false;
        break;
      }
      default: {
        if (!inSt) {
          r.warn('segment-outside-transaction', `segment ${id} is outside a transaction set and is ignored`);
          break;
        }
        segCount++;
        if (handled) handler.segment(r);
      }
    }
  }
  if (inSt) closeSt('the end of the input');
  if (inGs) closeGs('the end of the input');
  if (inIsa) warnings.push(makeIssue('missing-iea', `interchange ${isaControl} has no IEA before the end of the input`, r.index, r.id));
  if (r.index === -1) {
    throw new X12Error(makeIssue('missing-isa', 'input is empty: no ISA segment', 0, ''));
  }
  if (txCount === 0) {
    throw new X12Error(
      makeIssue(
        'missing-st',
        seenType ? `no readable ${type} transaction set in the input` : `no ${type} transaction set (ST*${type}) in the input`,
        Math.max(r.index, 0),
        r.id,
      ),
    );
  }
  return txCount;
}
