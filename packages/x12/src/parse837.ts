import type { X12Issue } from './errors.js';
import { walkTransactions, type TransactionHandler } from './envelope.js';
import { clm, dtp, finishClaim, hi, lx, sv1 } from './parse837-claim.js';
import { dmg, hl, n3, n4, nm1, prv, ref, sbr } from './parse837-parties.js';
import { Skip, State837 } from './parse837-state.js';
import { SegmentReader } from './reader.js';
import type { Parse837Result } from './types837.js';

/**
 * Hands each segment of an 837P transaction set to its reader: the parties (parse837-parties.ts),
 * the claims and lines (parse837-claim.ts), or a warning for what is not mapped or out of place.
 */
class Handler837 implements TransactionHandler {
  readonly state: State837;

  constructor(warnings: X12Issue[]) {
    this.state = new State837(warnings);
  }

  begin(_r: SegmentReader, controlNumber: string): void {
    this.state.reset(controlNumber);
  }

  end(): void {
    finishClaim(this.state);
  }

  segment(r: SegmentReader): void {
    const st = this.state;
    const id = r.id;
    if (st.skip !== Skip.None) {
      const s = st.skip;
      const ends =
        id === 'HL' ||
        id === 'CLM' ||
        id === 'LX' ||
        ((s === Skip.Loop || s === Skip.Drug) && (id === 'NM1' || id === 'SVD' || id === 'LQ' || id === 'LIN' || id === 'SBR'));
      if (!ends) {
        if (s === Skip.OtherPayer && id === 'SBR') st.unmapped(r, 'loop 2320 (other subscriber information)', Skip.OtherPayer);
        else if (s === Skip.LineTail && id === 'SVD') st.unmapped(r, 'loop 2430 (line adjudication information)', Skip.LineTail);
        else if (s === Skip.LineTail && id === 'LQ') st.unmapped(r, 'loop 2440 (form identification)', Skip.LineTail);
        return;
      }
      st.skip = Skip.None;
    }
    switch (id) {
      case 'HL':
        return hl(st, r);
      case 'NM1':
        return nm1(st, r);
      case 'N3':
        return n3(st, r);
      case 'N4':
        return n4(st, r);
      case 'REF':
        return ref(st, r);
      case 'PRV':
        return prv(st, r);
      case 'DMG':
        return dmg(st, r);
      case 'SBR':
        return sbr(st, r);
      case 'PAT':
        if (st.level === '23' && st.pat && st.entity === 'none') {
          st.pat.relationship = r.str(1);
          for (let i = 2; i <= r.count; i++) {
            if (r.has(i)) {
              r.warn('unmapped-segment', 'PAT02–PAT09 (death date, weight, pregnancy) are not mapped by parse837P', i);
              break;
            }
          }
          return;
        }
        if (st.level === '22' && !st.claim) return st.unmapped(r, 'PAT in loop 2000B (subscriber death date, weight, pregnancy)');
        return st.unexpected(r, 'here');
      case 'CLM':
        return clm(st, r);
      case 'HI':
        return hi(st, r);
      case 'AMT':
        if (st.entity === 'claim' && st.claim && r.is(1, 'F5')) {
          st.claim.patientPaidCents = r.cents(2);
          return;
        }
        return st.unmapped(r, `AMT*${r.str(1)}`);
      case 'LX':
        return lx(st, r);
      case 'SV1':
        return sv1(st, r);
      case 'DTP':
        return dtp(st, r);
      case 'PER':
        if (st.entity === 'header' || st.entity === 'bp') return; // submitter / billing contact: ignored by loop rules
        return st.unmapped(r, 'PER');
      case 'BHT':
        if (st.entity === 'header') return;
        return st.unexpected(r, 'after the header');
      case 'CUR':
        return st.unmapped(r, 'CUR (foreign currency)');
      case 'SVD':
        if (st.line) return st.unmapped(r, 'loop 2430 (line adjudication information)', Skip.LineTail);
        return st.unexpected(r, 'outside a service line');
      case 'LQ':
        if (st.line) return st.unmapped(r, 'loop 2440 (form identification)', Skip.LineTail);
        return st.unexpected(r, 'outside a service line');
      case 'LIN':
        if (st.line) return st.unmapped(r, 'loop 2410 (drug identification)', Skip.Drug);
        return st.unexpected(r, 'outside a service line');
      case 'PWK':
      case 'CN1':
      case 'K3':
      case 'NTE':
      case 'CR1':
      case 'CR2':
      case 'CR3':
      case 'CRC':
      case 'HCP':
      case 'SV5':
      case 'QTY':
      case 'MEA':
      case 'PS1':
        if (st.claim) return st.unmapped(r, id);
        return st.unexpected(r, 'outside a claim');
      default:
        return st.unexpected(r, 'in an 837P');
    }
  }
}

function acceptProfessional(version: string): boolean {
  return version === '' || !/X22[34]/.test(version);
}

/**
 * Parses 837 professional claims (005010X222A1). Claims carry the billing provider, subscriber,
 * patient and payer of their HL hierarchy. Institutional and dental 837s are skipped with a warning.
 */
export function parse837P(input: string | Uint8Array): Parse837Result {
  const warnings: X12Issue[] = [];
  const r = new SegmentReader(input, warnings);
  const h = new Handler837(warnings);
  walkTransactions(r, '837', h, acceptProfessional);
  return { claims: h.state.claims, warnings };
}
