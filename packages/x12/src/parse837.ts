import { X12Error, makeIssue, type X12Issue } from './errors.js';
import { walkTransactions, type TransactionHandler } from './envelope.js';
import { readProcedure } from './procedure.js';
import { SegmentReader, pad2 } from './reader.js';
import type {
  Address,
  BillingProvider837,
  Claim837,
  Facility837,
  Parse837Result,
  Patient837,
  Payer837,
  Provider837,
  ServiceLine837,
  Subscriber837,
} from './types837.js';
import { formatCents, parseDate8 } from './values.js';

interface BpCtx {
  provider: BillingProvider837;
  named: boolean;
  index: number;
}
interface SubCtx {
  bp: BpCtx;
  subscriber: Subscriber837 | undefined;
  payer: Payer837 | undefined;
  payerResponsibility: string;
  claimFilingIndicator: string;
  relationship: string;
  groupNumber: string;
  groupName: string;
  index: number;
}
interface PatCtx {
  sub: SubCtx;
  patient: Patient837 | undefined;
  relationship: string;
  index: number;
}

/** Which party the N3/N4/REF/PRV/DMG segments that follow belong to. */
type Entity =
  | 'none'
  | 'header'
  | 'bp'
  | 'payto'
  | 'sub'
  | 'payer'
  | 'pat'
  | 'claim'
  | 'referring'
  | 'rendering'
  | 'facility'
  | 'line'
  | 'lineRendering';

/** Skipping the segments of a loop that is not mapped (its first segment produced a warning). */
const enum Skip {
  None,
  /** an unmapped NM1 loop: ends at the next loop start */
  Loop,
  /** 2320/2330 other subscriber loops: end at LX, CLM or HL */
  OtherPayer,
  /** 2430/2440 line adjudication and forms: end at LX, CLM or HL */
  LineTail,
  /** 2410 drug identification: ends at NM1, LX, CLM, HL */
  Drug,
}

const DIAGNOSIS_QUALIFIERS = new Set(['ABK', 'ABF', 'BK', 'BF']);

function emptyAddress(): Address {
  return { line1: '', city: '', state: '', postalCode: '' };
}

class Handler837 implements TransactionHandler {
  readonly claims: Claim837[] = [];
  private readonly warnings: X12Issue[];
  private control = '';
  private hl = new Map<string, { level: string; ctx: BpCtx | SubCtx | PatCtx }>();
  private bp: BpCtx | undefined;
  private sub: SubCtx | undefined;
  private pat: PatCtx | undefined;
  private level = '';
  private entity: Entity = 'none';
  private address: Address | undefined;
  private skip = Skip.None;
  private claim: Claim837 | undefined;
  private claimIndex = 0;
  private lineIndexes: number[] = [];
  private line: ServiceLine837 | undefined;
  private lineProvider: Provider837 | undefined;
  /** Index of an LX whose SV1 has not been seen yet. */
  private pendingLine: number | undefined;

  constructor(warnings: X12Issue[]) {
    this.warnings = warnings;
  }

  begin(_r: SegmentReader, controlNumber: string): void {
    this.control = controlNumber;
    this.hl = new Map();
    this.bp = undefined;
    this.sub = undefined;
    this.pat = undefined;
    this.level = '';
    this.entity = 'header';
    this.address = undefined;
    this.skip = Skip.None;
    this.claim = undefined;
    this.line = undefined;
  }

  end(r: SegmentReader): void {
    this.finishClaim(r);
  }

  private unexpected(r: SegmentReader, where: string): void {
    r.warn('unexpected-segment', `segment ${r.id} is not expected ${where}; it is ignored`);
  }

  private unmapped(r: SegmentReader, what: string, skip: Skip = Skip.None): void {
    r.warn('unmapped-segment', `${what} is not mapped by parse837P; its data is not in the result`);
    this.skip = skip;
  }

  segment(r: SegmentReader): void {
    const id = r.id;
    if (this.skip !== Skip.None) {
      const s = this.skip;
      const ends =
        id === 'HL' ||
        id === 'CLM' ||
        id === 'LX' ||
        ((s === Skip.Loop || s === Skip.Drug) && (id === 'NM1' || id === 'SVD' || id === 'LQ' || id === 'LIN' || id === 'SBR'));
      if (!ends) {
        if (s === Skip.OtherPayer && id === 'SBR') this.unmapped(r, 'loop 2320 (other subscriber information)', Skip.OtherPayer);
        else if (s === Skip.LineTail && id === 'SVD') this.unmapped(r, 'loop 2430 (line adjudication information)', Skip.LineTail);
        else if (s === Skip.LineTail && id === 'LQ') this.unmapped(r, 'loop 2440 (form identification)', Skip.LineTail);
        return;
      }
      this.skip = Skip.None;
    }
    switch (id) {
      case 'HL':
        return this.hlSegment(r);
      case 'NM1':
        return this.nm1(r);
      case 'N3':
        return this.n3(r);
      case 'N4':
        return this.n4(r);
      case 'REF':
        return this.ref(r);
      case 'PRV':
        return this.prv(r);
      case 'DMG':
        return this.dmg(r);
      case 'SBR':
        return this.sbr(r);
      case 'PAT':
        if (this.level === '23' && this.pat && this.entity === 'none') {
          this.pat.relationship = r.str(1);
          for (let i = 2; i <= r.count; i++) {
            if (r.has(i)) {
              r.warn('unmapped-segment', 'PAT02–PAT09 (death date, weight, pregnancy) are not mapped by parse837P', i);
              break;
            }
          }
          return;
        }
        if (this.level === '22' && !this.claim) return this.unmapped(r, 'PAT in loop 2000B (subscriber death date, weight, pregnancy)');
        return this.unexpected(r, 'here');
      case 'CLM':
        return this.clm(r);
      case 'HI':
        return this.hi(r);
      case 'AMT':
        if (this.entity === 'claim' && this.claim && r.is(1, 'F5')) {
          this.claim.patientPaidCents = r.cents(2);
          return;
        }
        return this.unmapped(r, `AMT*${r.str(1)}`);
      case 'LX':
        return this.lx(r);
      case 'SV1':
        return this.sv1(r);
      case 'DTP':
        return this.dtp(r);
      case 'PER':
        if (this.entity === 'header' || this.entity === 'bp') return; // submitter / billing contact: ignored by loop rules
        return this.unmapped(r, 'PER');
      case 'BHT':
        if (this.entity === 'header') return;
        return this.unexpected(r, 'after the header');
      case 'CUR':
        return this.unmapped(r, 'CUR (foreign currency)');
      case 'SVD':
        if (this.line) return this.unmapped(r, 'loop 2430 (line adjudication information)', Skip.LineTail);
        return this.unexpected(r, 'outside a service line');
      case 'LQ':
        if (this.line) return this.unmapped(r, 'loop 2440 (form identification)', Skip.LineTail);
        return this.unexpected(r, 'outside a service line');
      case 'LIN':
        if (this.line) return this.unmapped(r, 'loop 2410 (drug identification)', Skip.Drug);
        return this.unexpected(r, 'outside a service line');
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
        if (this.claim) return this.unmapped(r, id);
        return this.unexpected(r, 'outside a claim');
      default:
        return this.unexpected(r, 'in an 837P');
    }
  }

  // ---- hierarchy ----

  private hlSegment(r: SegmentReader): void {
    this.finishClaim(r);
    const hlId = r.str(1);
    const parent = r.str(2);
    const level = r.str(3);
    this.level = level;
    this.address = undefined;
    if (!r.has(1)) r.warn('missing-element', 'HL01 (hierarchical id) is empty', 1);
    else if (this.hl.has(hlId)) r.warn('hl-parent-mismatch', `HL01 '${hlId}' is used twice`, 1);
    const parentOf = (wanted: string): BpCtx | SubCtx | undefined => {
      const p = this.hl.get(parent);
      if (p && p.level === wanted) return p.ctx as BpCtx | SubCtx;
      r.warn('hl-parent-mismatch', `HL02 '${parent}' is not ${wanted === '20' ? 'a billing provider (20)' : 'a subscriber (22)'} HL; the preceding one is used`, 2);
      return undefined;
    };
    switch (level) {
      case '20': {
        if (r.has(2)) r.warn('hl-parent-mismatch', `billing provider HL ${hlId} must not have a parent (HL02 '${parent}')`, 2);
        const bp: BpCtx = {
          provider: { name: '', npi: '', address: emptyAddress() },
          named: false,
          index: r.index,
        };
        this.bp = bp;
        this.sub = undefined;
        this.pat = undefined;
        this.hl.set(hlId, { level, ctx: bp });
        this.entity = 'none';
        return;
      }
      case '22': {
        const p = (parentOf('20') as BpCtx | undefined) ?? this.bp;
        if (!p) throw r.error('missing-segment', `subscriber HL ${hlId} has no billing provider HL (20) before it`, 2);
        const sub: SubCtx = {
          bp: p,
          subscriber: undefined,
          payer: undefined,
          payerResponsibility: 'P',
          claimFilingIndicator: '',
          relationship: '',
          groupNumber: '',
          groupName: '',
          index: r.index,
        };
        this.sub = sub;
        this.pat = undefined;
        this.hl.set(hlId, { level, ctx: sub });
        this.entity = 'none';
        return;
      }
      case '23': {
        const p = (parentOf('22') as SubCtx | undefined) ?? this.sub;
        if (!p) throw r.error('missing-segment', `patient HL ${hlId} has no subscriber HL (22) before it`, 2);
        const pat: PatCtx = { sub: p, patient: undefined, relationship: '', index: r.index };
        this.sub = p;
        this.pat = pat;
        this.hl.set(hlId, { level, ctx: pat });
        this.entity = 'none';
        return;
      }
      default:
        this.entity = 'none';
        this.unmapped(r, `HL level ${level}`, Skip.OtherPayer);
    }
  }

  // ---- names and addresses ----

  private person(r: SegmentReader): Provider837 {
    const p: Provider837 = { lastName: r.str(3) };
    if (r.is(2, '1')) p.firstName = r.str(4);
    const middle = r.opt(5);
    if (middle !== undefined) p.middleName = middle;
    const suffix = r.opt(7);
    if (suffix !== undefined) p.suffix = suffix;
    if (r.is(8, 'XX') && r.has(9)) p.npi = r.str(9);
    else if (r.has(9)) r.warn('unmapped-segment', `NM1*${r.str(1)} identifier qualifier '${r.str(8)}' is not mapped (only XX/NPI)`, 8);
    return p;
  }

  private nm1(r: SegmentReader): void {
    const code = r.str(1);
    this.address = undefined;
    if (this.entity === 'header' || (this.entity === 'none' && !this.bp)) {
      if (code === '41' || code === '40') {
        this.entity = 'header';
        return; // submitter / receiver: envelope information, ignored by loop rules
      }
    }
    if (this.claim) return this.claimNm1(r, code);
    switch (code) {
      case '85': {
        if (!this.bp || this.level !== '20') return this.unexpected(r, 'outside loop 2000A');
        const bp = this.bp.provider;
        bp.name = r.str(3);
        if (r.is(2, '1')) bp.firstName = r.str(4);
        if (r.is(8, 'XX')) bp.npi = r.str(9);
        else r.warn('missing-element', `billing provider NM108 is '${r.str(8)}', not XX: no NPI`, 8);
        this.bp.named = true;
        this.entity = 'bp';
        return;
      }
      case '87':
        if (!this.bp || this.level !== '20') return this.unexpected(r, 'outside loop 2000A');
        this.entity = 'payto';
        return;
      case 'IL': {
        if (!this.sub || this.level !== '22') return this.unexpected(r, 'outside loop 2000B');
        const s = this.sub;
        const sub: Subscriber837 = { lastName: r.str(3), firstName: r.str(4), memberId: r.str(9), relationship: s.relationship };
        const middle = r.opt(5);
        if (middle !== undefined) sub.middleName = middle;
        const suffix = r.opt(7);
        if (suffix !== undefined) sub.suffix = suffix;
        if (s.groupNumber) sub.groupNumber = s.groupNumber;
        if (s.groupName) sub.groupName = s.groupName;
        if (!r.has(9)) r.warn('missing-element', 'NM109 (member id) is empty', 9);
        s.subscriber = sub;
        this.entity = 'sub';
        return;
      }
      case 'PR': {
        if (!this.sub || this.level !== '22') return this.unexpected(r, 'outside loop 2000B');
        this.sub.payer = { name: r.str(3), id: r.str(9) };
        if (!r.has(9)) r.warn('missing-element', 'NM109 (payer id) is empty', 9);
        this.entity = 'payer';
        return;
      }
      case 'QC': {
        if (!this.pat || this.level !== '23') return this.unexpected(r, 'outside loop 2000C');
        const p: Patient837 = { lastName: r.str(3), firstName: r.str(4), relationship: this.pat.relationship };
        const middle = r.opt(5);
        if (middle !== undefined) p.middleName = middle;
        const suffix = r.opt(7);
        if (suffix !== undefined) p.suffix = suffix;
        this.pat.patient = p;
        this.entity = 'pat';
        return;
      }
      case 'PE':
        this.entity = 'none';
        return this.unmapped(r, 'loop 2010AC (pay-to plan)', Skip.Loop);
      default:
        this.entity = 'none';
        return this.unmapped(r, `NM1*${code}`, Skip.Loop);
    }
  }

  private claimNm1(r: SegmentReader, code: string): void {
    const claim = this.claim as Claim837;
    if (this.line) {
      if (code === '82') {
        this.line.renderingProvider = this.lineProvider = this.person(r);
        this.entity = 'lineRendering';
        return;
      }
      this.entity = 'none';
      return this.unmapped(r, `loop 2420 NM1*${code}`, Skip.Loop);
    }
    switch (code) {
      case 'DN':
        claim.referringProvider = this.person(r);
        this.entity = 'referring';
        return;
      case '82':
        claim.renderingProvider = this.person(r);
        this.entity = 'rendering';
        return;
      case '77': {
        const f: Facility837 = { name: r.str(3), address: emptyAddress() };
        if (r.is(8, 'XX') && r.has(9)) f.npi = r.str(9);
        claim.facility = f;
        this.entity = 'facility';
        return;
      }
      default:
        this.entity = 'none';
        return this.unmapped(r, `loop 2310 NM1*${code}`, Skip.Loop);
    }
  }

  private addressTarget(): Address | undefined {
    switch (this.entity) {
      case 'bp':
      case 'payto':
      case 'sub':
      case 'payer':
      case 'pat':
      case 'facility':
        return emptyAddress();
      default:
        return undefined;
    }
  }

  private attachAddress(a: Address): void {
    switch (this.entity) {
      case 'bp':
        if (this.bp) this.bp.provider.address = a;
        return;
      case 'payto':
        if (this.bp) this.bp.provider.payToAddress = a;
        return;
      case 'sub':
        if (this.sub?.subscriber) this.sub.subscriber.address = a;
        return;
      case 'payer':
        if (this.sub?.payer) this.sub.payer.address = a;
        return;
      case 'pat':
        if (this.pat?.patient) this.pat.patient.address = a;
        return;
      case 'facility':
        if (this.claim?.facility) this.claim.facility.address = a;
        return;
      default:
    }
  }

  private n3(r: SegmentReader): void {
    if (this.entity === 'header') return;
    const a = this.addressTarget();
    if (!a) return this.unexpected(r, 'here (no name loop with an address before it)');
    a.line1 = r.str(1);
    const line2 = r.opt(2);
    if (line2 !== undefined) a.line2 = line2;
    this.address = a;
    this.attachAddress(a);
  }

  private n4(r: SegmentReader): void {
    if (this.entity === 'header') return;
    let a = this.address;
    if (!a) {
      a = this.addressTarget();
      if (!a) return this.unexpected(r, 'here (no name loop with an address before it)');
      r.warn('missing-segment', 'N4 without N3: the address has no street line');
      this.attachAddress(a);
    }
    a.city = r.str(1);
    a.state = r.str(2);
    a.postalCode = r.str(3);
    const country = r.opt(4);
    if (country !== undefined) a.countryCode = country;
    if (r.has(7)) r.warn('unmapped-segment', 'N407 (country subdivision) is not mapped', 7);
    this.address = undefined;
  }

  private ref(r: SegmentReader): void {
    const q = r.str(1);
    switch (this.entity) {
      case 'header':
        return;
      case 'bp':
        if (q === 'EI' && this.bp) {
          this.bp.provider.taxId = r.str(2);
          return;
        }
        break;
      case 'claim':
      case 'referring':
      case 'rendering':
      case 'facility': {
        const claim = this.claim;
        if (!claim) break;
        if (this.entity === 'claim') {
          if (q === 'G1') return void (claim.priorAuthorization = r.str(2));
          if (q === '9F') return void (claim.referralNumber = r.str(2));
          if (q === 'F8') return void (claim.payerClaimControlNumber = r.str(2));
          if (q === 'EA') return void (claim.medicalRecordNumber = r.str(2));
        }
        break;
      }
      case 'line':
      case 'lineRendering':
        if (q === '6R' && this.line && this.entity === 'line') {
          this.line.lineControlNumber = r.str(2);
          return;
        }
        break;
      default:
    }
    this.unmapped(r, `REF*${q}`);
  }

  private prv(r: SegmentReader): void {
    const taxonomy = r.str(3);
    if (this.level === '20' && (this.entity === 'none' || this.entity === 'bp') && this.bp && !this.claim) {
      if (r.is(1, 'BI') || r.is(1, 'PT')) {
        this.bp.provider.taxonomy = taxonomy;
        return;
      }
    }
    if (this.entity === 'rendering' && this.claim?.renderingProvider) {
      this.claim.renderingProvider.taxonomy = taxonomy;
      return;
    }
    if (this.entity === 'lineRendering' && this.lineProvider) {
      this.lineProvider.taxonomy = taxonomy;
      return;
    }
    this.unmapped(r, `PRV*${r.str(1)}`);
  }

  private dmg(r: SegmentReader): void {
    const target = this.entity === 'sub' ? this.sub?.subscriber : this.entity === 'pat' ? this.pat?.patient : undefined;
    if (!target) return this.unexpected(r, 'outside loops 2010BA/2010CA');
    if (r.has(2)) {
      if (!r.is(1, 'D8')) r.warn('invalid-code', `DMG01 '${r.str(1)}' is not D8`, 1);
      const d = r.date(2, 'date of birth');
      if (d !== undefined) target.dateOfBirth = d;
    }
    const g = r.opt(3);
    if (g !== undefined) target.gender = g;
  }

  private sbr(r: SegmentReader): void {
    if (this.claim) return this.unmapped(r, 'loop 2320 (other subscriber information)', Skip.OtherPayer);
    if (this.level !== '22' || !this.sub || this.entity !== 'none') return this.unexpected(r, 'outside loop 2000B');
    const s = this.sub;
    s.payerResponsibility = r.str(1);
    s.relationship = r.str(2);
    s.groupNumber = r.str(3);
    s.groupName = r.str(4);
    s.claimFilingIndicator = r.str(9);
    if (r.has(5)) r.warn('unmapped-segment', 'SBR05 (insurance type code) is not mapped', 5);
  }

  // ---- claim ----

  private clm(r: SegmentReader): void {
    this.finishClaim(r);
    const sub = this.level === '23' ? this.pat?.sub : this.level === '22' ? this.sub : undefined;
    if (!sub) return this.unexpected(r, 'outside a subscriber or patient HL');
    const bp = sub.bp;
    if (!bp.named) throw new X12Error(makeIssue('missing-segment', 'billing provider loop 2010AA (NM1*85) is missing', bp.index, 'HL', undefined, this.control));
    if (!sub.subscriber) throw new X12Error(makeIssue('missing-segment', 'subscriber loop 2010BA (NM1*IL) is missing', sub.index, 'HL', undefined, this.control));
    if (!sub.payer) throw new X12Error(makeIssue('missing-segment', 'payer loop 2010BB (NM1*PR) is missing', sub.index, 'HL', undefined, this.control));
    let patient: Patient837 | undefined;
    if (this.level === '23') {
      const pat = this.pat as PatCtx;
      if (!pat.patient) throw new X12Error(makeIssue('missing-segment', 'patient loop 2010CA (NM1*QC) is missing', pat.index, 'HL', undefined, this.control));
      patient = pat.patient;
    }
    if (!r.has(1)) throw r.error('missing-element', 'CLM01 (patient control number) is required', 1);
    const chargeCents = r.cents(2);
    const pos = r.components(5);
    if (!r.has(5) || !pos[0]) throw r.error('missing-element', 'CLM05-1 (place of service) is required', 5);
    if (!pos[2]) throw r.error('missing-element', 'CLM05-3 (claim frequency code) is required', 5);
    const claim: Claim837 = {
      patientControlNumber: r.str(1),
      chargeCents,
      frequencyCode: pos[2],
      placeOfService: pos[0],
      diagnoses: [],
      billingProvider: bp.provider,
      subscriber: sub.subscriber,
      payer: sub.payer,
      lines: [],
    };
    if (pos[1] !== 'B') r.warn('invalid-code', `CLM05-2 '${pos[1] ?? ''}' is not B (place of service codes)`, 5);
    if (patient) claim.patient = patient;
    if (sub.claimFilingIndicator) claim.claimFilingIndicator = sub.claimFilingIndicator;
    if (sub.payerResponsibility !== 'P') claim.payerResponsibility = sub.payerResponsibility;
    const sig = r.str(6);
    if (sig !== 'Y') claim.providerSignature = sig;
    const asg = r.str(7);
    if (asg !== 'A') claim.assignmentParticipation = asg;
    const ben = r.str(8);
    if (ben !== 'Y') claim.benefitsAssignment = ben;
    const rel = r.str(9);
    if (rel !== 'Y') claim.releaseOfInformation = rel;
    const pss = r.opt(10);
    if (pss !== undefined) claim.patientSignatureSource = pss;
    for (let i = 11; i <= r.count; i++) {
      if (r.has(i)) r.warn('unmapped-segment', `CLM${pad2(i)} '${r.str(i)}' is not mapped by parse837P`, i);
    }
    this.claim = claim;
    this.claimIndex = r.index;
    this.lineIndexes = [];
    this.line = undefined;
    this.entity = 'claim';
  }

  private hi(r: SegmentReader): void {
    if (!this.claim || this.line) return this.unexpected(r, 'outside loop 2300');
    this.entity = 'claim';
    const found: { qualifier: string; code: string }[] = [];
    let other = false;
    for (let i = 1; i <= r.count; i++) {
      if (!r.has(i)) continue;
      const parts = r.components(i);
      const qualifier = parts[0] ?? '';
      if (DIAGNOSIS_QUALIFIERS.has(qualifier)) {
        if (!parts[1]) throw r.error('missing-element', `HI${pad2(i)} has no diagnosis code`, i);
        found.push({ qualifier, code: parts[1] });
        if (parts.length > 2) r.warn('unmapped-segment', `HI${pad2(i)} components after the code are not mapped`, i);
      } else other = true;
    }
    if (other) {
      if (found.length > 0) r.warn('unmapped-segment', 'HI codes with qualifiers other than ABK/ABF/BK/BF are not mapped');
      else return this.unmapped(r, `HI*${(r.components(1)[0] ?? '')} (not a diagnosis code list)`);
    }
    this.claim.diagnoses.push(...found);
  }

  private lx(r: SegmentReader): void {
    if (!this.claim) return this.unexpected(r, 'outside a claim');
    this.finishLine();
    this.pendingLine = r.index;
    this.line = undefined;
    this.entity = 'line';
  }

  private sv1(r: SegmentReader): void {
    if (!this.claim || this.pendingLine === undefined || this.line) return this.unexpected(r, 'outside loop 2400 (after LX)');
    if (!r.has(1)) throw r.error('missing-element', 'SV101 (procedure) is required', 1);
    const procedure = readProcedure(r, 1);
    const chargeCents = r.cents(2);
    if (!r.has(3)) throw r.error('missing-element', 'SV103 (unit or basis for measurement) is required', 3);
    const units = r.optNumber(4);
    if (units === undefined) throw r.error('missing-element', 'SV104 (service unit count) is required', 4);
    const pointers: number[] = [];
    for (const p of r.components(7)) {
      if (!/^\d{1,2}$/.test(p) || Number(p) < 1 || Number(p) > 12) throw r.error('invalid-number', `SV107 diagnosis pointer '${p}' is not 1–12`, 7);
      pointers.push(Number(p));
    }
    const line: ServiceLine837 = {
      procedure,
      chargeCents,
      units,
      unitType: r.str(3),
      diagnosisPointers: pointers,
      serviceDate: '',
    };
    const pos = r.opt(5);
    if (pos !== undefined) line.placeOfService = pos;
    if (r.is(9, 'Y')) line.emergency = true;
    for (let i = 10; i <= r.count; i++) {
      if (r.has(i)) r.warn('unmapped-segment', `SV1${pad2(i)} '${r.str(i)}' is not mapped by parse837P`, i);
    }
    this.line = line;
    this.lineProvider = undefined;
    this.lineIndexes.push(r.index);
    this.claim.lines.push(line);
    this.entity = 'line';
  }

  /** DTP02/DTP03 as a date or a range; throws X12Error when unreadable. */
  private period(r: SegmentReader): { date: string; endDate?: string } {
    const q = r.str(2);
    const v = r.str(3);
    if (q === 'D8') {
      const d = parseDate8(v);
      if (d === undefined) throw r.error('invalid-date', `DTP03 '${v}' is not a valid CCYYMMDD date`, 3);
      return { date: d };
    }
    if (q === 'RD8') {
      const dash = v.indexOf('-');
      const a = dash === 8 ? parseDate8(v.slice(0, 8)) : undefined;
      const b = dash === 8 ? parseDate8(v.slice(9)) : undefined;
      if (a === undefined || b === undefined) throw r.error('invalid-date', `DTP03 '${v}' is not a valid CCYYMMDD-CCYYMMDD range`, 3);
      return { date: a, endDate: b };
    }
    throw r.error('invalid-code', `DTP02 '${q}' is not D8 or RD8`, 2);
  }

  private dtp(r: SegmentReader): void {
    const qualifier = r.str(1);
    if (this.line && (this.entity === 'line' || this.entity === 'lineRendering')) {
      const p = this.period(r);
      if (qualifier === '472') {
        this.line.serviceDate = p.date;
        if (p.endDate !== undefined) this.line.serviceDateEnd = p.endDate;
      } else {
        (this.line.dates ??= []).push(p.endDate === undefined ? { qualifier, date: p.date } : { qualifier, date: p.date, endDate: p.endDate });
      }
      return;
    }
    if (this.claim && this.entity === 'claim' && !this.line) {
      const p = this.period(r);
      (this.claim.dates ??= []).push(p.endDate === undefined ? { qualifier, date: p.date } : { qualifier, date: p.date, endDate: p.endDate });
      return;
    }
    if (!this.claim) return this.unexpected(r, 'outside a claim');
    this.unmapped(r, `DTP*${qualifier}`);
  }

  private finishLine(): void {
    const line = this.line;
    if (!line) {
      if (this.pendingLine !== undefined) {
        this.warnings.push(makeIssue('missing-segment', 'LX without SV1 (professional service)', this.pendingLine, 'LX', undefined, this.control));
      }
      this.pendingLine = undefined;
      return;
    }
    const index = this.lineIndexes[this.lineIndexes.length - 1] ?? this.claimIndex;
    if (line.serviceDate === '') {
      throw new X12Error(makeIssue('missing-segment', `service line ${this.claim?.lines.length ?? 0} has no DTP*472 service date`, index, 'SV1', undefined, this.control));
    }
    this.line = undefined;
    this.pendingLine = undefined;
    this.lineProvider = undefined;
  }

  private finishClaim(r: SegmentReader): void {
    const claim = this.claim;
    if (!claim) return;
    this.finishLine();
    this.claim = undefined;
    const tx = this.control;
    if (claim.lines.length === 0) {
      this.warnings.push(makeIssue('missing-segment', `claim ${claim.patientControlNumber} has no service line (LX/SV1)`, this.claimIndex, 'CLM', undefined, tx));
    }
    let total = 0;
    for (let i = 0; i < claim.lines.length; i++) {
      const line = claim.lines[i] as ServiceLine837;
      total += line.chargeCents;
      for (const p of line.diagnosisPointers) {
        if (p > claim.diagnoses.length) {
          this.warnings.push(
            makeIssue(
              'invalid-diagnosis-pointer',
              `claim ${claim.patientControlNumber} line ${i + 1}: diagnosis pointer ${p} but the claim has ${claim.diagnoses.length} diagnoses`,
              this.lineIndexes[i] ?? this.claimIndex,
              'SV1',
              7,
              tx,
            ),
          );
        }
      }
    }
    if (claim.lines.length > 0 && total !== claim.chargeCents) {
      this.warnings.push(
        makeIssue(
          'unbalanced-claim',
          `claim ${claim.patientControlNumber}: CLM02 ${formatCents(claim.chargeCents)} but its service lines total ${formatCents(total)}`,
          this.claimIndex,
          'CLM',
          2,
          tx,
        ),
      );
    }
    if (claim.diagnoses.length === 0) {
      this.warnings.push(makeIssue('missing-segment', `claim ${claim.patientControlNumber} has no diagnosis (HI)`, this.claimIndex, 'CLM', undefined, tx));
    }
    this.claims.push(claim);
    void r;
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
  return { claims: h.claims, warnings };
}
