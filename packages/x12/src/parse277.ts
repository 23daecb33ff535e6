import { X12Error, makeIssue, type X12Issue } from './errors.js';
import { walkTransactions, type TransactionHandler } from './envelope.js';
import { readProcedure } from './procedure.js';
import { SegmentReader, pad2 } from './reader.js';
import type { Claim277, ClaimAcknowledgmentDecision, Line277, Parse277Result, Party277, Status277 } from './types277.js';
import { parseDate8 } from './values.js';

/**
 * Claim status category codes (code list 507) of a 277CA and the decision each one means for the
 * claim (or line) it is reported on. Categories that decide nothing (D0, F0–F4 and unknown codes)
 * are kept in `statuses` with an `invalid-code` warning and do not change the decision.
 *
 * | category   | meaning                                                        | decision  |
 * |------------|----------------------------------------------------------------|-----------|
 * | A0         | forwarded to another entity                                    | forwarded |
 * | A1         | receipt: received, not yet accepted for adjudication           | accepted  |
 * | A2         | accepted into the adjudication system                          | accepted  |
 * | A3         | returned as unprocessable claim                                | rejected  |
 * | A4         | not found                                                      | rejected  |
 * | A5         | split claim (accepted, then split by the payer)                | accepted  |
 * | A6         | rejected for missing information                               | rejected  |
 * | A7         | rejected for invalid information                               | rejected  |
 * | A8         | rejected for relational field in error                         | rejected  |
 * | DR01, DR02 | data reporting (encounter): receipt, acceptance                | accepted  |
 * | DR03–DR07  | data reporting: unprocessable, not found, missing/invalid/relational | rejected |
 * | DR08       | data reporting: accepted with a warning                        | accepted  |
 * | E0–E4      | response not possible (bad data, system status, not responding, relational fields, trading partner requirement): resubmit | rejected |
 * | P0–P5      | pending (in process, payer review, provider/patient requested information…) | pended |
 * | R0–R16     | requests for additional information (e.g. R3 claim/line)       | pended    |
 *
 * A claim's (or line's) decision is the strongest of its statuses: rejected > pended > accepted >
 * forwarded; `unknown` when none of them decides. Only the claim's own STCs (loop 2200D) count:
 * line statuses (2220D) and batch statuses of the receiver (2200B) and provider (2200C) are reported
 * beside it, not folded in.
 */
export const CATEGORY_DECISIONS: Readonly<Record<string, ClaimAcknowledgmentDecision>> = {
  A0: 'forwarded',
  A1: 'accepted',
  A2: 'accepted',
  A3: 'rejected',
  A4: 'rejected',
  A5: 'accepted',
  A6: 'rejected',
  A7: 'rejected',
  A8: 'rejected',
  DR01: 'accepted',
  DR02: 'accepted',
  DR03: 'rejected',
  DR04: 'rejected',
  DR05: 'rejected',
  DR06: 'rejected',
  DR07: 'rejected',
  DR08: 'accepted',
  E0: 'rejected',
  E1: 'rejected',
  E2: 'rejected',
  E3: 'rejected',
  E4: 'rejected',
  P0: 'pended',
  P1: 'pended',
  P2: 'pended',
  P3: 'pended',
  P4: 'pended',
  P5: 'pended',
  ...Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`R${i}`, 'pended' as const])),
};

/** STC03 action codes of a 277CA. */
export const ACTION_CODES: Readonly<Record<string, string>> = { WQ: 'accept', U: 'reject' };

const RANK: Record<ClaimAcknowledgmentDecision, number> = { unknown: 0, forwarded: 1, accepted: 2, pended: 3, rejected: 4 };

/** The decision of a list of statuses (see {@link CATEGORY_DECISIONS}). */
export function decide277(statuses: readonly Pick<Status277, 'category'>[]): ClaimAcknowledgmentDecision {
  let best: ClaimAcknowledgmentDecision = 'unknown';
  for (const s of statuses) {
    const d = CATEGORY_DECISIONS[s.category];
    if (d !== undefined && RANK[d] > RANK[best]) best = d;
  }
  return best;
}

/** Hierarchy context of one HL: the parties above (and at) its level. */
interface Level {
  level: string;
  payer: Party277 | undefined;
  receiver: Party277 | undefined;
  provider: Party277 | undefined;
}

const enum At {
  Header,
  Payer,
  Receiver,
  Provider,
  Claim,
  Line,
  /** An HL of an unknown level: its segments are skipped. */
  Skip,
}

const LEVEL_NAMES: Record<string, string> = { '20': 'information source (20)', '21': 'information receiver (21)', '19': 'billing provider (19)' };

/** DTP02/DTP03 as a date or a range; undefined, with a warning, when unreadable. */
function period(r: SegmentReader): { date: string; endDate?: string } | undefined {
  const q = r.str(2);
  const v = r.str(3);
  if (q === 'D8') {
    const d = parseDate8(v);
    if (d !== undefined) return { date: d };
    r.warn('invalid-date', `DTP03 '${v}' is not a valid CCYYMMDD date; it is ignored`, 3);
    return undefined;
  }
  if (q === 'RD8') {
    const dash = v.indexOf('-');
    const a = dash === 8 ? parseDate8(v.slice(0, 8)) : undefined;
    const b = dash === 8 ? parseDate8(v.slice(9)) : undefined;
    if (a !== undefined && b !== undefined) return { date: a, endDate: b };
    r.warn('invalid-date', `DTP03 '${v}' is not a valid CCYYMMDD-CCYYMMDD range; it is ignored`, 3);
    return undefined;
  }
  r.warn('invalid-code', `DTP02 '${q}' is not D8 or RD8; the date is ignored`, 2);
  return undefined;
}

class Handler277 implements TransactionHandler {
  readonly claims: Claim277[] = [];
  private readonly warnings: X12Issue[];
  private control = '';
  private hl = new Map<string, Level>();
  /** The latest HL of each level, used when an HL02 does not name a parent of the right level. */
  private latest = new Map<string, Level>();
  private at = At.Header;
  private party: Party277 | undefined;
  private claim: Claim277 | undefined;
  private claimIndex = 0;
  private line: Line277 | undefined;
  private lineIndex = 0;

  constructor(warnings: X12Issue[]) {
    this.warnings = warnings;
  }

  begin(_r: SegmentReader, controlNumber: string): void {
    this.control = controlNumber;
    this.hl = new Map();
    this.latest = new Map();
    this.at = At.Header;
    this.party = undefined;
    this.claim = undefined;
    this.line = undefined;
  }

  private unexpected(r: SegmentReader, where: string): void {
    r.warn('unexpected-segment', `segment ${r.id} is not expected ${where}; it is ignored`);
  }

  segment(r: SegmentReader): void {
    const id = r.id;
    if (id === 'HL') return this.hlSegment(r);
    if (this.at === At.Skip) return;
    switch (id) {
      case 'BHT':
        if (this.at !== At.Header) this.unexpected(r, 'after the first HL');
        return;
      case 'NM1':
        return this.nm1(r);
      case 'TRN':
        return this.trn(r);
      case 'STC':
        return this.stc(r);
      case 'REF':
        return this.ref(r);
      case 'DTP':
        return this.dtp(r);
      case 'SVC':
        return this.svc(r);
      case 'QTY':
      case 'AMT':
        // accepted/rejected claim counts and amounts of the receiver and provider levels: ignored by loop rules
        if (this.at === At.Receiver || this.at === At.Provider) return;
        return this.unexpected(r, 'outside the information receiver and billing provider levels (2200B/2200C)');
      case 'PER':
        if (this.at === At.Payer) return;
        return this.unexpected(r, 'outside the information source level (2100A)');
      default:
        return this.unexpected(r, 'in a 277CA');
    }
  }

  private parent(r: SegmentReader, wanted: string): Level | undefined {
    const parentId = r.str(2);
    const p = this.hl.get(parentId);
    if (p && p.level === wanted) return p;
    const fallback = this.latest.get(wanted);
    r.warn(
      'hl-parent-mismatch',
      `HL02 '${parentId}' is not an ${LEVEL_NAMES[wanted] ?? wanted} HL; ${fallback ? 'the preceding one is used' : 'there is none before it'}`,
      2,
    );
    return fallback;
  }

  private hlSegment(r: SegmentReader): void {
    this.finishClaim();
    const hlId = r.str(1);
    if (!r.has(1)) r.warn('missing-element', 'HL01 (hierarchical id) is empty', 1);
    else if (this.hl.has(hlId)) r.warn('hl-parent-mismatch', `HL01 '${hlId}' is used twice`, 1);
    const level = r.str(3);
    let ctx: Level;
    switch (level) {
      case '20': {
        if (r.has(2)) r.warn('hl-parent-mismatch', `information source HL ${hlId} must not have a parent (HL02 '${r.str(2)}')`, 2);
        this.party = { name: '' };
        ctx = { level, payer: this.party, receiver: undefined, provider: undefined };
        this.at = At.Payer;
        break;
      }
      case '21': {
        const p = this.parent(r, '20');
        this.party = { name: '' };
        ctx = { level, payer: p?.payer, receiver: this.party, provider: undefined };
        this.at = At.Receiver;
        break;
      }
      case '19': {
        const p = this.parent(r, '21');
        this.party = { name: '' };
        ctx = { level, payer: p?.payer, receiver: p?.receiver, provider: this.party };
        this.at = At.Provider;
        break;
      }
      case 'PT': {
        const p = this.parent(r, '19');
        ctx = { level, payer: p?.payer, receiver: p?.receiver, provider: p?.provider };
        this.party = undefined;
        const claim: Claim277 = {
          transactionControlNumber: this.control,
          patientControlNumber: '',
          status: 'unknown',
          statuses: [],
          payer: p?.payer ?? { name: '' },
          lines: [],
        };
        if (!p?.payer) r.warn('missing-segment', `claim HL ${hlId} has no information source (payer, HL 20) above it; its payer is empty`);
        if (p?.receiver) claim.receiver = p.receiver;
        if (p?.provider) claim.billingProvider = p.provider;
        this.claim = claim;
        this.claimIndex = r.index;
        this.at = At.Claim;
        break;
      }
      default:
        r.warn('invalid-code', `HL03 '${level}' is not a 277CA level (20, 21, 19, PT); the segments up to the next HL are ignored`, 3);
        this.party = undefined;
        this.at = At.Skip;
        return;
    }
    this.hl.set(hlId, ctx);
    this.latest.set(level, ctx);
  }

  private nm1(r: SegmentReader): void {
    const q = r.str(1);
    if (this.at === At.Claim && this.claim) {
      if (q !== 'QC') return this.unexpected(r, `at the patient level (NM1*${q}, expected NM1*QC)`);
      if (this.claim.patient) return this.unexpected(r, 'twice at the patient level');
      const patient: NonNullable<Claim277['patient']> = { lastName: r.str(3) };
      if (r.has(4)) patient.firstName = r.str(4);
      if (r.has(9)) patient.memberId = r.str(9);
      this.claim.patient = patient;
      return;
    }
    const party = this.party;
    const expected = this.at === At.Payer ? 'PR' : this.at === At.Receiver ? '41' : this.at === At.Provider ? '85' : '';
    if (!party || expected === '') return this.unexpected(r, 'here');
    if (party.name !== '' || party.id !== undefined) return this.unexpected(r, 'twice at one level');
    if (q !== expected) r.warn('invalid-code', `NM101 '${q}' at this level should be ${expected}; the name is used`, 1);
    party.name = r.str(3);
    if (r.has(9)) {
      party.id = r.str(9);
      if (r.has(8)) party.idQualifier = r.code(8);
    }
  }

  private trn(r: SegmentReader): void {
    if (this.at === At.Claim && this.claim) {
      if (!r.is(1, '2')) return this.unexpected(r, `at the claim level with TRN01 '${r.str(1)}' (expected 2, referenced transaction trace number)`);
      if (this.claim.patientControlNumber !== '') return this.unexpected(r, 'twice at the claim level');
      if (!r.has(2)) throw r.error('missing-element', 'TRN02 (patient control number) is required', 2);
      this.claim.patientControlNumber = r.str(2);
      return;
    }
    // transmission, receiver and provider trace identifiers: ignored by loop rules
    if (this.at === At.Payer || this.at === At.Receiver || this.at === At.Provider) return;
    this.unexpected(r, 'here');
  }

  /** Reads the up to three status composites of an STC segment (STC01, STC10, STC11). */
  private readStatuses(r: SegmentReader, into: Status277[]): void {
    let date: string | undefined;
    if (r.has(2)) {
      date = parseDate8(r.str(2));
      if (date === undefined) r.warn('invalid-date', `STC02 '${r.str(2)}' is not a valid CCYYMMDD date; it is ignored`, 2);
    }
    const actionCode = r.opt(3);
    if (actionCode !== undefined && ACTION_CODES[actionCode] === undefined) {
      r.warn('invalid-code', `STC03 '${actionCode}' is not an action code (WQ accept, U reject); it is kept as sent`, 3);
    }
    if (!r.has(1)) throw r.error('missing-element', 'STC01 (health care claim status) is required', 1);
    const decisions: ClaimAcknowledgmentDecision[] = [];
    for (const i of [1, 10, 11]) {
      const n = r.splitComposite(i);
      if (n === 0) continue;
      const category = r.component(0);
      const code = n > 1 ? r.component(1) : '';
      if (category === '') throw r.error('missing-element', `STC${pad2(i)}-1 (claim status category code) is required`, i);
      if (code === '') throw r.error('missing-element', `STC${pad2(i)}-2 (claim status code) is required`, i);
      const s: Status277 = { category, code };
      const entity = n > 2 ? r.component(2) : '';
      if (entity !== '') s.entity = entity;
      const list = n > 3 ? r.component(3) : '';
      if (list !== '') s.codeListQualifier = list;
      if (date !== undefined) s.date = date;
      if (actionCode !== undefined) s.actionCode = actionCode;
      if (i === 1) {
        const charge = r.optCents(4);
        if (charge !== undefined) s.chargeCents = charge;
        const message = r.opt(12);
        if (message !== undefined) s.message = message;
      }
      const d = CATEGORY_DECISIONS[category];
      if (d === undefined) r.warn('invalid-code', `STC${pad2(i)}-1 '${category}' is not a 277CA claim status category that decides acceptance; it is kept as sent`, i);
      else decisions.push(d);
      into.push(s);
    }
    // the action code is the sender's own summary: report when it contradicts the categories
    if (actionCode === 'U' && decisions.length > 0 && !decisions.includes('rejected')) {
      r.warn('inconsistent-acknowledgment', 'STC03 is U (reject) but no status category of the segment is a rejection', 3);
    } else if (actionCode === 'WQ' && decisions.includes('rejected')) {
      r.warn('inconsistent-acknowledgment', 'STC03 is WQ (accept) but a status category of the segment is a rejection', 3);
    }
  }

  private stc(r: SegmentReader): void {
    switch (this.at) {
      case At.Line:
        if (this.line) return this.readStatuses(r, this.line.statuses);
        return;
      case At.Claim:
        if (this.claim) return this.readStatuses(r, this.claim.statuses);
        return;
      case At.Receiver:
      case At.Provider: {
        const party = this.party;
        if (!party) return;
        const statuses = party.statuses ?? [];
        this.readStatuses(r, statuses);
        if (statuses.length > 0) party.statuses = statuses;
        return;
      }
      default:
        return this.unexpected(r, 'outside the receiver, provider, claim and line levels');
    }
  }

  private ref(r: SegmentReader): void {
    const q = r.str(1);
    if (this.at === At.Line && this.line) {
      if (q === 'FJ' && r.has(2)) this.line.lineControlNumber = r.str(2);
      else if (q !== 'FJ') this.unexpected(r, `at the line level (REF*${q})`);
      return;
    }
    if (this.at === At.Claim && this.claim) {
      const v = r.opt(2);
      if (v === undefined) return r.warn('missing-element', `REF02 (REF*${q}) is empty`, 2);
      if (q === '1K') this.claim.payerClaimControlNumber = v;
      else if (q === 'D9') this.claim.clearinghouseTraceNumber = v;
      else if (q === 'BLT') this.claim.billType = v;
      else this.unexpected(r, `at the claim level (REF*${q})`);
      return;
    }
    // provider secondary identifiers (REF*TJ, 0B…): ignored by loop rules
    if (this.at === At.Provider) return;
    this.unexpected(r, 'here');
  }

  private dtp(r: SegmentReader): void {
    const q = r.str(1);
    if (this.at === At.Payer) {
      if (q === '050' || q === '009') return; // received and process dates of the batch: ignored by loop rules
      return this.unexpected(r, `at the information source level (DTP*${q})`);
    }
    const target = this.at === At.Line ? this.line : this.at === At.Claim ? this.claim : undefined;
    if (!target) return this.unexpected(r, 'here');
    if (q !== '472') return this.unexpected(r, `(DTP*${q}; only DTP*472 service dates are sent at the claim and line levels)`);
    const p = period(r);
    if (!p) return;
    target.serviceDate = p.date;
    if (p.endDate !== undefined) target.serviceDateEnd = p.endDate;
  }

  private svc(r: SegmentReader): void {
    const claim = this.claim;
    if ((this.at !== At.Claim && this.at !== At.Line) || !claim) return this.unexpected(r, 'outside a claim (loop 2200D)');
    this.finishLine();
    if (!r.has(1)) throw r.error('missing-element', 'SVC01 (procedure) is required', 1);
    const line: Line277 = { procedure: readProcedure(r, 1), chargeCents: r.cents(2), status: 'unknown', statuses: [] };
    if (r.has(4)) line.revenueCode = r.str(4);
    // SVC03 (payment amount, 0 in an acknowledgment) and SVC05/SVC06: ignored by loop rules
    const units = r.optNumber(7);
    if (units !== undefined) line.units = units;
    claim.lines.push(line);
    this.line = line;
    this.lineIndex = r.index;
    this.at = At.Line;
  }

  private finishLine(): void {
    const line = this.line;
    if (!line) return;
    this.line = undefined;
    line.status = decide277(line.statuses);
    if (line.statuses.length === 0) {
      this.warnings.push(makeIssue('missing-segment', 'service line (SVC) without STC: its status is unknown', this.lineIndex, 'SVC', undefined, this.control));
    }
  }

  private finishClaim(): void {
    this.finishLine();
    const claim = this.claim;
    if (!claim) return;
    this.claim = undefined;
    if (claim.patientControlNumber === '') {
      throw new X12Error(
        makeIssue('missing-segment', 'claim (HL PT) has no TRN*2 (patient control number)', this.claimIndex, 'HL', undefined, this.control),
      );
    }
    claim.status = decide277(claim.statuses);
    if (claim.statuses.length === 0) {
      this.warnings.push(
        makeIssue('missing-segment', `claim ${claim.patientControlNumber} has no claim-level STC: its status is unknown`, this.claimIndex, 'HL', undefined, this.control),
      );
    }
    this.claims.push(claim);
  }

  end(_r: SegmentReader): void {
    this.finishClaim();
  }
}

function acceptClaimAcknowledgment(version: string): boolean {
  return version === '' || version.startsWith('005010X214');
}

/**
 * Parses 277CA health care claim acknowledgments (005010X214): one result per claim (HL PT) with
 * its patient control number (TRN*2, the 837's CLM01), payer claim control number (REF*1K), status
 * composites and decision, and service lines. Other 277s (claim status responses, 005010X212) are
 * skipped with a warning; unreadable content throws X12Error.
 */
export function parse277(input: string | Uint8Array): Parse277Result {
  const warnings: X12Issue[] = [];
  const r = new SegmentReader(input, warnings);
  const h = new Handler277(warnings);
  walkTransactions(r, '277', h, acceptClaimAcknowledgment, '277CA (005010X214 claim acknowledgment)');
  return { claims: h.claims, warnings };
}
