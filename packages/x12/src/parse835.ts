import { X12Error, makeIssue, type X12Issue } from './errors.js';
import { walkTransactions, type TransactionHandler } from './envelope.js';
import { readProcedure } from './procedure.js';
import { SegmentReader, pad2 } from './reader.js';
import type { Adjustment, AdjustmentGroup, Claim835, Parse835Result, ProviderAdjustment, Remittance, Service835 } from './types835.js';
import { formatCents, parseDate8 } from './values.js';

const enum Loop {
  Header,
  Payer,
  Payee,
  Number,
  Claim,
  Service,
  Summary,
}

function groupOf(r: SegmentReader): AdjustmentGroup {
  const g = r.code(1);
  switch (g) {
    case 'CO':
    case 'PR':
    case 'OA':
    case 'PI':
    case 'CR':
      return g;
    default:
      if (g === '') throw r.error('missing-element', 'CAS01 (claim adjustment group code) is required', 1);
      throw r.error('invalid-code', `CAS01 '${g}' is not a claim adjustment group code (CO, PR, OA, PI, CR)`, 1);
  }
}

/** Reads the up to six reason/amount/quantity triplets of a CAS segment. */
function readCas(r: SegmentReader, into: Adjustment[]): void {
  const group = groupOf(r);
  let any = false;
  for (let k = 0; k < 6; k++) {
    const ri = 2 + 3 * k;
    if (ri > r.count) break;
    const hasReason = r.has(ri);
    if (!hasReason && !r.has(ri + 1) && !r.has(ri + 2)) continue;
    if (!hasReason) throw r.error('missing-element', `CAS${pad2(ri)} (reason code) is required with an amount`, ri);
    const adj: Adjustment = { group, reason: r.code(ri), amountCents: r.cents(ri + 1) };
    const q = r.optNumber(ri + 2);
    if (q !== undefined) adj.quantity = q;
    into.push(adj);
    any = true;
  }
  if (!any) throw r.error('missing-element', 'CAS has no reason code and amount', 2);
  if (r.count > 19) r.warn('unexpected-segment', `CAS has ${r.count} elements; only CAS01–CAS19 are defined`);
}

class Handler835 implements TransactionHandler {
  readonly remittances: Remittance[] = [];
  private warnings: X12Issue[];
  private loop = Loop.Header;
  private control = '';
  private bprSeen = false;
  private bprIndex = 0;
  private amountCents = 0;
  private creditDebit = '';
  private method = '';
  private bprDate: string | undefined;
  private traceNumber: string | undefined;
  private originatorId = '';
  private productionDate: string | undefined;
  private payerName: string | undefined;
  private payerId: string | undefined;
  private payerRefId: string | undefined;
  private payee: Remittance['payee'] | undefined;
  private claims: Claim835[] = [];
  /** Segment index of each CLP, and of each SVC in claim order (for warnings). */
  private clpIndex: number[] = [];
  private svcIndex: number[] = [];
  private plb: ProviderAdjustment[] = [];
  private claim: Claim835 | undefined;
  private service: Service835 | undefined;
  /**
   * Adjustments and services of the open claim are gathered in scratch arrays and copied to
   * exact-size arrays when the claim/service closes (a pushed-to array keeps room for 17).
   */
  private claimAdj: Adjustment[] = [];
  private svcAdj: Adjustment[] = [];
  private svcs: Service835[] = [];

  constructor(warnings: X12Issue[]) {
    this.warnings = warnings;
  }

  begin(_r: SegmentReader, controlNumber: string): void {
    this.loop = Loop.Header;
    this.control = controlNumber;
    this.bprSeen = false;
    this.amountCents = 0;
    this.creditDebit = '';
    this.method = '';
    this.bprDate = undefined;
    this.traceNumber = undefined;
    this.originatorId = '';
    this.productionDate = undefined;
    this.payerName = undefined;
    this.payerId = undefined;
    this.payerRefId = undefined;
    this.payee = undefined;
    this.claims = [];
    this.clpIndex = [];
    this.svcIndex = [];
    this.plb = [];
    this.claim = undefined;
    this.service = undefined;
    this.claimAdj.length = 0;
    this.svcAdj.length = 0;
    this.svcs.length = 0;
  }

  private closeService(): void {
    const s = this.service;
    if (!s) return;
    if (this.svcAdj.length > 0) {
      s.adjustments = this.svcAdj.slice();
      this.svcAdj.length = 0;
    }
    this.service = undefined;
  }

  private closeClaim(): void {
    this.closeService();
    const c = this.claim;
    if (!c) return;
    if (this.claimAdj.length > 0) {
      c.adjustments = this.claimAdj.slice();
      this.claimAdj.length = 0;
    }
    if (this.svcs.length > 0) {
      c.services = this.svcs.slice();
      this.svcs.length = 0;
    }
    this.claim = undefined;
  }

  private unexpected(r: SegmentReader, where: string): void {
    r.warn('unexpected-segment', `segment ${r.id} is not expected ${where}; it is ignored`);
  }

  segment(r: SegmentReader): void {
    switch (r.id) {
      case 'CLP':
        return this.clp(r);
      case 'CAS':
        if (this.loop === Loop.Service && this.service) return readCas(r, this.svcAdj);
        if (this.loop === Loop.Claim && this.claim) return readCas(r, this.claimAdj);
        return this.unexpected(r, 'outside a claim (loop 2100/2110)');
      case 'SVC':
        return this.svc(r);
      case 'NM1':
        return this.nm1(r);
      case 'DTM':
        return this.dtm(r);
      case 'REF':
        return this.ref(r);
      case 'AMT':
        if (this.loop === Loop.Service && this.service) {
          if (r.is(1, 'B6')) this.service.allowedCents = r.cents(2);
          return;
        }
        if (this.loop === Loop.Claim) return; // claim supplemental amounts: ignored by loop rules
        return this.unexpected(r, 'outside loop 2100/2110');
      case 'LQ':
        if (this.loop === Loop.Service && this.service) {
          if (r.is(1, 'HE')) {
            if (r.has(2)) this.service.remarks.push(r.code(2));
            else r.warn('missing-element', 'LQ02 (remark code) is required', 2);
          }
          return;
        }
        return this.unexpected(r, 'outside loop 2110');
      case 'MOA':
        if (this.loop === Loop.Claim && this.claim) {
          for (let i = 3; i <= 7; i++) if (r.has(i)) this.claim.remarks.push(r.code(i));
          return;
        }
        return this.unexpected(r, 'outside loop 2100');
      case 'MIA':
        if (this.loop === Loop.Claim && this.claim) {
          if (r.has(5)) this.claim.remarks.push(r.code(5));
          for (let i = 20; i <= 23; i++) if (r.has(i)) this.claim.remarks.push(r.code(i));
          return;
        }
        return this.unexpected(r, 'outside loop 2100');
      case 'QTY':
      case 'PER':
        if (this.loop === Loop.Header || this.loop === Loop.Number || this.loop === Loop.Summary) {
          return this.unexpected(r, 'in this position');
        }
        return;
      case 'LX':
        if (this.loop === Loop.Header || this.loop === Loop.Summary) return this.unexpected(r, 'before the payer/payee or after PLB');
        this.loop = Loop.Number;
        this.closeClaim();
        return;
      case 'TS3':
      case 'TS2':
        if (this.loop !== Loop.Number) this.unexpected(r, 'outside loop 2000 (after LX)');
        return;
      case 'PLB':
        return this.plbSegment(r);
      case 'BPR':
        return this.bpr(r);
      case 'TRN':
        if (this.loop !== Loop.Header) return this.unexpected(r, 'after the header');
        if (this.traceNumber !== undefined) return this.unexpected(r, 'twice');
        this.traceNumber = r.str(2);
        this.originatorId = r.str(3);
        if (!r.has(2)) r.warn('missing-element', 'TRN02 (check or EFT trace number) is empty', 2);
        return;
      case 'N1':
        return this.n1(r);
      case 'N3':
      case 'N4':
      case 'RDM':
      case 'N2':
        if (this.loop === Loop.Payer || this.loop === Loop.Payee) return;
        return this.unexpected(r, 'outside loop 1000A/1000B');
      case 'CUR':
        if (this.loop === Loop.Header) return;
        return this.unexpected(r, 'after the header');
      default:
        return this.unexpected(r, 'in an 835');
    }
  }

  private bpr(r: SegmentReader): void {
    if (this.bprSeen || this.loop !== Loop.Header) return this.unexpected(r, 'here (BPR must be the first segment after ST, once)');
    this.bprSeen = true;
    this.bprIndex = r.index;
    this.amountCents = r.cents(2);
    this.creditDebit = r.str(3);
    this.method = r.str(4);
    this.bprDate = parseDate8(r.str(16));
  }

  private n1(r: SegmentReader): void {
    const code = r.str(1);
    if (code === 'PR' && this.loop === Loop.Header && this.payerName === undefined) {
      this.loop = Loop.Payer;
      this.payerName = r.str(2);
      if (r.has(4)) this.payerId = r.str(4);
      return;
    }
    if (code === 'PE' && (this.loop === Loop.Payer || this.loop === Loop.Header) && this.payee === undefined) {
      this.loop = Loop.Payee;
      const payee: Remittance['payee'] = { name: r.str(2) };
      const q = r.str(3);
      if (q === 'XX' && r.has(4)) payee.npi = r.str(4);
      else if (q === 'FI' && r.has(4)) payee.taxId = r.str(4);
      this.payee = payee;
      return;
    }
    this.unexpected(r, `here (N1*${code})`);
  }

  private ref(r: SegmentReader): void {
    switch (this.loop) {
      case Loop.Service:
        if (r.is(1, '6R') && this.service) {
          if (r.has(2)) this.service.lineControlNumber = r.str(2);
          else r.warn('missing-element', 'REF02 (line item control number) is empty', 2);
        }
        return;
      case Loop.Payer:
        if (r.is(1, '2U') && r.has(2)) this.payerRefId = r.str(2);
        return;
      case Loop.Payee:
        if (r.is(1, 'TJ') && r.has(2) && this.payee && this.payee.taxId === undefined) this.payee.taxId = r.str(2);
        return;
      case Loop.Header:
      case Loop.Claim:
        return; // receiver id, version, claim references: ignored by loop rules
      default:
        return this.unexpected(r, 'outside the header and loops 1000/2100/2110');
    }
  }

  private dtm(r: SegmentReader): void {
    switch (this.loop) {
      case Loop.Header:
        if (r.is(1, '405')) this.productionDate = r.date(2, 'production date');
        return;
      case Loop.Service: {
        const s = this.service;
        if (!s) return;
        if (r.is(1, '472') || r.is(1, '150')) {
          const d = r.date(2, 'service date');
          if (d !== undefined) s.serviceDate = d;
        }
        return; // DTM*151 (end of a service period): ignored by loop rules
      }
      case Loop.Claim:
        return; // statement period, received and coverage dates: ignored by loop rules
      default:
        return this.unexpected(r, 'outside the header and loops 2100/2110');
    }
  }

  private nm1(r: SegmentReader): void {
    if (this.loop !== Loop.Claim || !this.claim) return this.unexpected(r, 'outside loop 2100');
    if (r.is(1, 'QC')) {
      this.claim.patient = { lastName: r.str(3), firstName: r.str(4), memberId: r.str(9) };
    } else if (r.is(1, '82')) {
      if (r.is(8, 'XX') && r.has(9)) this.claim.renderingProviderNpi = r.str(9);
    }
    // IL insured, 74 corrected patient, PR crossover carrier, TT, GB: ignored by loop rules
  }

  private clp(r: SegmentReader): void {
    if (this.loop === Loop.Header || this.loop === Loop.Payer || this.loop === Loop.Summary || this.loop === Loop.Payee) {
      if (this.loop === Loop.Summary) return this.unexpected(r, 'after PLB');
      // tolerate a missing LX: claims may directly follow the payee loop
      if (this.loop !== Loop.Payee) return this.unexpected(r, 'before the payee (N1*PE)');
    }
    this.closeClaim();
    if (!r.has(1)) throw r.error('missing-element', 'CLP01 (patient control number) is required', 1);
    if (!r.has(2)) throw r.error('missing-element', 'CLP02 (claim status code) is required', 2);
    const claim: Claim835 = {
      patientControlNumber: r.str(1),
      statusCode: r.code(2),
      chargeCents: r.cents(3),
      paidCents: r.cents(4),
      patientResponsibilityCents: r.optCents(5) ?? 0,
      adjustments: [],
      remarks: [],
      services: [],
    };
    if (r.has(6)) claim.claimFilingIndicator = r.code(6);
    const pccn = r.opt(7);
    if (pccn !== undefined) claim.payerClaimControlNumber = pccn;
    this.claims.push(claim);
    this.claim = claim;
    this.clpIndex.push(r.index);
    this.loop = Loop.Claim;
  }

  private svc(r: SegmentReader): void {
    if ((this.loop !== Loop.Claim && this.loop !== Loop.Service) || !this.claim) {
      return this.unexpected(r, 'outside a claim (loop 2100)');
    }
    this.closeService();
    if (!r.has(1)) throw r.error('missing-element', 'SVC01 (procedure) is required', 1);
    const s: Service835 = {
      procedure: readProcedure(r, 1),
      chargeCents: r.cents(2),
      paidCents: r.cents(3),
      adjustments: [],
      remarks: [],
    };
    const units = r.optNumber(5);
    if (units !== undefined) s.units = units;
    if (r.has(6)) s.originalProcedure = readProcedure(r, 6);
    this.svcs.push(s);
    this.svcIndex.push(r.index);
    this.service = s;
    this.loop = Loop.Service;
  }

  private plbSegment(r: SegmentReader): void {
    if (this.loop === Loop.Header || this.loop === Loop.Payer) return this.unexpected(r, 'before the payee');
    this.loop = Loop.Summary;
    this.closeClaim();
    if (!r.has(1)) throw r.error('missing-element', 'PLB01 (provider identifier) is required', 1);
    const providerId = r.str(1);
    const fiscalPeriodDate = r.date(2, 'fiscal period date') ?? '';
    let any = false;
    for (let k = 0; k < 6; k++) {
      const ci = 3 + 2 * k;
      if (ci > r.count) break;
      if (!r.has(ci) && !r.has(ci + 1)) continue;
      if (!r.has(ci)) throw r.error('missing-element', `PLB${pad2(ci)} (adjustment reason) is required with an amount`, ci);
      const parts = r.components(ci);
      const adj: ProviderAdjustment = { providerId, fiscalPeriodDate, reason: parts[0] ?? '', amountCents: r.cents(ci + 1) };
      const ref = parts[1];
      if (ref !== undefined && ref !== '') adj.reference = ref;
      this.plb.push(adj);
      any = true;
    }
    if (!any) throw r.error('missing-element', 'PLB has no adjustment reason and amount', 3);
  }

  end(r: SegmentReader): void {
    this.closeClaim();
    const tx = this.control;
    const endIndex = r.index;
    const endId = r.id;
    if (!this.bprSeen) {
      throw new X12Error(makeIssue('missing-segment', `835 transaction ${tx} has no BPR (payment) segment`, endIndex, endId, undefined, tx));
    }
    const warn = (code: X12Issue['code'], message: string, index: number, id: string, element?: number): void => {
      this.warnings.push(makeIssue(code, message, index, id, element, tx));
    };
    if (this.traceNumber === undefined) warn('missing-segment', `835 transaction ${tx} has no TRN (trace number) segment`, endIndex, endId);
    if (this.payerName === undefined) warn('missing-segment', `835 transaction ${tx} has no payer (N1*PR)`, endIndex, endId);
    if (this.payee === undefined) warn('missing-segment', `835 transaction ${tx} has no payee (N1*PE)`, endIndex, endId);
    // payment.date is the production date (DTM*405); BPR16 (check issue / EFT effective date) stands in
    // for it, with a warning, when the 835 has none.
    let date = this.productionDate;
    if (date === undefined) {
      if (this.bprDate !== undefined) {
        date = this.bprDate;
        warn('missing-segment', `no usable DTM*405 (production date); payment.date is BPR16 (${date})`, this.bprIndex, 'BPR', 16);
      } else {
        date = '';
        warn('missing-segment', 'no usable DTM*405 (production date) nor BPR16 date; payment.date is empty', this.bprIndex, 'BPR', 16);
      }
    }
    const payment: Remittance['payment'] = {
      amountCents: this.amountCents,
      creditDebit: this.creditDebit,
      method: this.method,
      date,
      traceNumber: this.traceNumber ?? '',
      originatorId: this.originatorId,
    };
    const payerId = this.payerId ?? this.payerRefId ?? this.originatorId;

    // balancing
    let paidTotal = 0;
    const claims = this.claims;
    let svcCursor = 0;
    for (let c = 0; c < claims.length; c++) {
      const claim = claims[c] as Claim835;
      const clpIndex = this.clpIndex[c] ?? endIndex;
      paidTotal += claim.paidCents;
      let adjTotal = 0;
      let prTotal = 0;
      for (const a of claim.adjustments) {
        adjTotal += a.amountCents;
        if (a.group === 'PR') prTotal += a.amountCents;
      }
      for (let s = 0; s < claim.services.length; s++) {
        const svc = claim.services[s] as Service835;
        const svcIndex = this.svcIndex[svcCursor++] ?? clpIndex;
        let lineAdj = 0;
        for (const a of svc.adjustments) {
          lineAdj += a.amountCents;
          if (a.group === 'PR') prTotal += a.amountCents;
        }
        adjTotal += lineAdj;
        const diff = svc.chargeCents - svc.paidCents;
        if (diff !== lineAdj) {
          const p = svc.procedure;
          warn(
            'unbalanced-service-line',
            `claim ${claim.patientControlNumber} service line ${s + 1} (${p.qualifier}:${p.code}): charge ${formatCents(svc.chargeCents)} − paid ${formatCents(svc.paidCents)} = ${formatCents(diff)} but its adjustments total ${formatCents(lineAdj)}`,
            svcIndex,
            'SVC',
          );
        }
      }
      const diff = claim.chargeCents - claim.paidCents;
      if (diff !== adjTotal) {
        warn(
          'unbalanced-claim',
          `claim ${claim.patientControlNumber}: charge ${formatCents(claim.chargeCents)} − paid ${formatCents(claim.paidCents)} = ${formatCents(diff)} but claim and line adjustments total ${formatCents(adjTotal)}`,
          clpIndex,
          'CLP',
        );
      }
      if (prTotal !== claim.patientResponsibilityCents) {
        warn(
          'unbalanced-patient-responsibility',
          `claim ${claim.patientControlNumber}: patient responsibility (CLP05) ${formatCents(claim.patientResponsibilityCents)} but PR adjustments total ${formatCents(prTotal)}`,
          clpIndex,
          'CLP',
          5,
        );
      }
    }
    let plbTotal = 0;
    for (const p of this.plb) plbTotal += p.amountCents;
    const expected = paidTotal - plbTotal;
    const actual = this.creditDebit === 'D' ? -this.amountCents : this.amountCents;
    if (expected !== actual) {
      warn(
        'unbalanced-payment',
        `BPR02 ${this.creditDebit === 'D' ? 'debit ' : ''}${formatCents(this.amountCents)} but claim payments ${formatCents(paidTotal)} − provider adjustments ${formatCents(plbTotal)} = ${formatCents(expected)}`,
        this.bprIndex,
        'BPR',
        2,
      );
    }

    this.remittances.push({
      controlNumber: tx,
      payer: { name: this.payerName ?? '', id: payerId },
      payee: this.payee ?? { name: '' },
      payment,
      claims,
      providerAdjustments: this.plb,
    });
  }
}

/**
 * A small remittance parsed once when the module loads, and kept. V8 forgets hidden classes that
 * no live object uses at a full GC, and with them the optimized code and inline caches built for
 * them: without a live reader, handler and result of the usual shapes, every parse that follows a
 * full GC would start in the interpreter and recompile. About 2 KB stays in memory.
 */
const WARM_SAMPLE = [
  'ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*0000*^*00501*000000001*0*P*:~',
  'GS*HP*S*R*20240101*0000*1*X*005010X221A1~ST*835*0001~',
  'BPR*I*55*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240101~TRN*1*T*1~DTM*405*20240101~',
  'N1*PR*P*XV*1~N3*A~N4*C*S*1~REF*2U*1~N1*PE*E*XX*1234567893~REF*TJ*1~LX*1~',
  'CLP*A*1*110*40*10*12*B~CAS*CO*45*10*1~NM1*QC*1*L*F****MI*M~NM1*82*1*L*F****XX*1234567893~MOA***MA01~',
  'SVC*HC:99213:25*100*40**1~DTM*472*20240101~CAS*CO*45*50~CAS*PR*1*10~REF*6R*1~AMT*B6*50~LQ*HE*N1~',
  'CLP*B*1*50*25*0*12*C~NM1*QC*1*L*F****MI*M~',
  'SVC*HC:99214*50*25~DTM*150*20240101~DTM*151*20240102~CAS*CO*45*25~',
  'CLP*C*4*30*0*0*MC~NM1*QC*1*L*F****MI*M~SVC*HC:99215*30*0**1~DTM*472*20240101~CAS*CO*50*30~',
  'PLB*1*20241231*WO:1*10~SE*36*0001~GE*1*1~IEA*1*000000001~',
].join('');

function warm(): unknown[] {
  const warnings: X12Issue[] = [];
  try {
    const r = new SegmentReader(WARM_SAMPLE, warnings);
    const h = new Handler835(warnings);
    walkTransactions(r, '835', h);
    return [r, h, h.remittances, warnings];
  } catch {
    return [];
  }
}

/** The built-in warm-up remittance (exported for a test that checks it reads cleanly). */
export const warmSample = (): { text: string; kept: number } => ({ text: WARM_SAMPLE, kept: KEEP_SHAPES.length });
const KEEP_SHAPES = warm();
void KEEP_SHAPES;

/**
 * Parses 835 health care claim payment/advice transactions (005010X221A1). One remittance per
 * ST…SE. Envelope and balancing problems are warnings; unreadable content throws X12Error.
 */
export function parse835(input: string | Uint8Array): Parse835Result {
  const warnings: X12Issue[] = [];
  const r = new SegmentReader(input, warnings);
  const h = new Handler835(warnings);
  walkTransactions(r, '835', h);
  return { remittances: h.remittances, warnings };
}
