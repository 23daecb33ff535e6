/**
 * The parties of an 837P: the HL hierarchy (billing provider 20, subscriber 22, patient 23) and the
 * name loops with their addresses, identifiers, taxonomies and demographics (NM1, N3/N4, REF, PRV,
 * DMG, SBR). Each reads one segment into the reading state (parse837-state.ts).
 */
import { finishClaim } from './parse837-claim.js';
import { emptyAddress, Skip, type BpCtx, type PatCtx, type State837, type SubCtx } from './parse837-state.js';
import type { SegmentReader } from './reader.js';
import type { Address, Claim837, Facility837, Patient837, Provider837, Subscriber837 } from './types837.js';

export function hl(st: State837, r: SegmentReader): void {
  finishClaim(st);
  const hlId = r.str(1);
  const parent = r.str(2);
  const level = r.str(3);
  st.level = level;
  st.address = undefined;
  if (!r.has(1)) r.warn('missing-element', 'HL01 (hierarchical id) is empty', 1);
  else if (st.hl.has(hlId)) r.warn('hl-parent-mismatch', `HL01 '${hlId}' is used twice`, 1);
  const parentOf = (wanted: string): BpCtx | SubCtx | undefined => {
    const p = st.hl.get(parent);
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
      st.bp = bp;
      st.sub = undefined;
      st.pat = undefined;
      st.hl.set(hlId, { level, ctx: bp });
      st.entity = 'none';
      return;
    }
    case '22': {
      const p = (parentOf('20') as BpCtx | undefined) ?? st.bp;
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
      st.sub = sub;
      st.pat = undefined;
      st.hl.set(hlId, { level, ctx: sub });
      st.entity = 'none';
      return;
    }
    case '23': {
      const p = (parentOf('22') as SubCtx | undefined) ?? st.sub;
      if (!p) throw r.error('missing-segment', `patient HL ${hlId} has no subscriber HL (22) before it`, 2);
      const pat: PatCtx = { sub: p, patient: undefined, relationship: '', index: r.index };
      st.sub = p;
      st.pat = pat;
      st.hl.set(hlId, { level, ctx: pat });
      st.entity = 'none';
      return;
    }
    default:
      st.entity = 'none';
      st.unmapped(r, `HL level ${level}`, Skip.OtherPayer);
  }
}

export function sbr(st: State837, r: SegmentReader): void {
  if (st.claim) return st.unmapped(r, 'loop 2320 (other subscriber information)', Skip.OtherPayer);
  if (st.level !== '22' || !st.sub || st.entity !== 'none') return st.unexpected(r, 'outside loop 2000B');
  const s = st.sub;
  s.payerResponsibility = r.str(1);
  s.relationship = r.str(2);
  s.groupNumber = r.str(3);
  s.groupName = r.str(4);
  s.claimFilingIndicator = r.str(9);
  if (r.has(5)) r.warn('unmapped-segment', 'SBR05 (insurance type code) is not mapped', 5);
}

export function nm1(st: State837, r: SegmentReader): void {
  const code = r.str(1);
  st.address = undefined;
  if (st.entity === 'header' || (st.entity === 'none' && !st.bp)) {
    if (code === '41' || code === '40') {
      st.entity = 'header';
      return; // submitter / receiver: envelope information, ignored by loop rules
    }
  }
  if (st.claim) return claimNm1(st, r, code);
  switch (code) {
    case '85': {
      if (!st.bp || st.level !== '20') return st.unexpected(r, 'outside loop 2000A');
      const bp = st.bp.provider;
      bp.name = r.str(3);
      if (r.is(2, '1')) bp.firstName = r.str(4);
      if (r.is(8, 'XX')) bp.npi = r.str(9);
      else r.warn('missing-element', `billing provider NM108 is '${r.str(8)}', not XX: no NPI`, 8);
      st.bp.named = true;
      st.entity = 'bp';
      return;
    }
    case '87':
      if (!st.bp || st.level !== '20') return st.unexpected(r, 'outside loop 2000A');
      st.entity = 'payto';
      return;
    case 'IL': {
      if (!st.sub || st.level !== '22') return st.unexpected(r, 'outside loop 2000B');
      const s = st.sub;
      const sub: Subscriber837 = { lastName: r.str(3), firstName: r.str(4), memberId: r.str(9), relationship: s.relationship };
      const middle = r.opt(5);
      if (middle !== undefined) sub.middleName = middle;
      const suffix = r.opt(7);
      if (suffix !== undefined) sub.suffix = suffix;
      if (s.groupNumber) sub.groupNumber = s.groupNumber;
      if (s.groupName) sub.groupName = s.groupName;
      if (!r.has(9)) r.warn('missing-element', 'NM109 (member id) is empty', 9);
      s.subscriber = sub;
      st.entity = 'sub';
      return;
    }
    case 'PR': {
      if (!st.sub || st.level !== '22') return st.unexpected(r, 'outside loop 2000B');
      st.sub.payer = { name: r.str(3), id: r.str(9) };
      if (!r.has(9)) r.warn('missing-element', 'NM109 (payer id) is empty', 9);
      st.entity = 'payer';
      return;
    }
    case 'QC': {
      if (!st.pat || st.level !== '23') return st.unexpected(r, 'outside loop 2000C');
      const p: Patient837 = { lastName: r.str(3), firstName: r.str(4), relationship: st.pat.relationship };
      const middle = r.opt(5);
      if (middle !== undefined) p.middleName = middle;
      const suffix = r.opt(7);
      if (suffix !== undefined) p.suffix = suffix;
      st.pat.patient = p;
      st.entity = 'pat';
      return;
    }
    case 'PE':
      st.entity = 'none';
      return st.unmapped(r, 'loop 2010AC (pay-to plan)', Skip.Loop);
    default:
      st.entity = 'none';
      return st.unmapped(r, `NM1*${code}`, Skip.Loop);
  }
}

function person(r: SegmentReader): Provider837 {
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

function claimNm1(st: State837, r: SegmentReader, code: string): void {
  const claim = st.claim as Claim837;
  if (st.line) {
    if (code === '82') {
      st.line.renderingProvider = st.lineProvider = person(r);
      st.entity = 'lineRendering';
      return;
    }
    st.entity = 'none';
    return st.unmapped(r, `loop 2420 NM1*${code}`, Skip.Loop);
  }
  switch (code) {
    case 'DN':
      claim.referringProvider = person(r);
      st.entity = 'referring';
      return;
    case '82':
      claim.renderingProvider = person(r);
      st.entity = 'rendering';
      return;
    case '77': {
      const f: Facility837 = { name: r.str(3), address: emptyAddress() };
      if (r.is(8, 'XX') && r.has(9)) f.npi = r.str(9);
      claim.facility = f;
      st.entity = 'facility';
      return;
    }
    default:
      st.entity = 'none';
      return st.unmapped(r, `loop 2310 NM1*${code}`, Skip.Loop);
  }
}

function addressTarget(st: State837): Address | undefined {
  switch (st.entity) {
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

function attachAddress(st: State837, a: Address): void {
  switch (st.entity) {
    case 'bp':
      if (st.bp) st.bp.provider.address = a;
      return;
    case 'payto':
      if (st.bp) st.bp.provider.payToAddress = a;
      return;
    case 'sub':
      if (st.sub?.subscriber) st.sub.subscriber.address = a;
      return;
    case 'payer':
      if (st.sub?.payer) st.sub.payer.address = a;
      return;
    case 'pat':
      if (st.pat?.patient) st.pat.patient.address = a;
      return;
    case 'facility':
      if (st.claim?.facility) st.claim.facility.address = a;
      return;
    default:
  }
}

export function n3(st: State837, r: SegmentReader): void {
  if (st.entity === 'header') return;
  const a = addressTarget(st);
  if (!a) return st.unexpected(r, 'here (no name loop with an address before it)');
  a.line1 = r.str(1);
  const line2 = r.opt(2);
  if (line2 !== undefined) a.line2 = line2;
  st.address = a;
  attachAddress(st, a);
}

export function n4(st: State837, r: SegmentReader): void {
  if (st.entity === 'header') return;
  let a = st.address;
  if (!a) {
    a = addressTarget(st);
    if (!a) return st.unexpected(r, 'here (no name loop with an address before it)');
    r.warn('missing-segment', 'N4 without N3: the address has no street line');
    attachAddress(st, a);
  }
  a.city = r.str(1);
  a.state = r.str(2);
  a.postalCode = r.str(3);
  const country = r.opt(4);
  if (country !== undefined) a.countryCode = country;
  if (r.has(7)) r.warn('unmapped-segment', 'N407 (country subdivision) is not mapped', 7);
  st.address = undefined;
}

export function ref(st: State837, r: SegmentReader): void {
  const q = r.str(1);
  switch (st.entity) {
    case 'header':
      return;
    case 'bp':
      if (q === 'EI' && st.bp) {
        st.bp.provider.taxId = r.str(2);
        return;
      }
      break;
    case 'claim':
    case 'referring':
    case 'rendering':
    case 'facility': {
      const claim = st.claim;
      if (!claim) break;
      if (st.entity === 'claim') {
        if (q === 'G1') return void (claim.priorAuthorization = r.str(2));
        if (q === '9F') return void (claim.referralNumber = r.str(2));
        if (q === 'F8') return void (claim.payerClaimControlNumber = r.str(2));
        if (q === 'EA') return void (claim.medicalRecordNumber = r.str(2));
      }
      break;
    }
    case 'line':
    case 'lineRendering':
      if (q === '6R' && st.line && st.entity === 'line') {
        st.line.lineControlNumber = r.str(2);
        return;
      }
      break;
    default:
  }
  st.unmapped(r, `REF*${q}`);
}

export function prv(st: State837, r: SegmentReader): void {
  const taxonomy = r.str(3);
  if (st.level === '20' && (st.entity === 'none' || st.entity === 'bp') && st.bp && !st.claim) {
    if (r.is(1, 'BI') || r.is(1, 'PT')) {
      st.bp.provider.taxonomy = taxonomy;
      return;
    }
  }
  if (st.entity === 'rendering' && st.claim?.renderingProvider) {
    st.claim.renderingProvider.taxonomy = taxonomy;
    return;
  }
  if (st.entity === 'lineRendering' && st.lineProvider) {
    st.lineProvider.taxonomy = taxonomy;
    return;
  }
  st.unmapped(r, `PRV*${r.str(1)}`);
}

export function dmg(st: State837, r: SegmentReader): void {
  const target = st.entity === 'sub' ? st.sub?.subscriber : st.entity === 'pat' ? st.pat?.patient : undefined;
  if (!target) return st.unexpected(r, 'outside loops 2010BA/2010CA');
  if (r.has(2)) {
    if (!r.is(1, 'D8')) r.warn('invalid-code', `DMG01 '${r.str(1)}' is not D8`, 1);
    const d = r.date(2, 'date of birth');
    if (d !== undefined) target.dateOfBirth = d;
  }
  const g = r.opt(3);
  if (g !== undefined) target.gender = g;
}
