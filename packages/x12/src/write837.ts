import { X12Error, makeIssue } from './errors.js';
import type { Procedure } from './types835.js';
import type { Address, Claim837, Dated, Provider837, Write837Input } from './types837.js';
import { formatCents, formatDecimal, isoToDate8, parseDate8 } from './values.js';

const VERSION = '005010X222A1';
const SPACES = '               ';

class Writer {
  private readonly out: string[] = [];
  /** Segments written so far (the index of the next one). */
  count = 0;
  private txStart = 0;
  private readonly el: string;
  private readonly co: string;
  private readonly term: string;
  private readonly forbidden: string[];

  constructor(el: string, co: string, rep: string, seg: string, lineBreaks: boolean) {
    this.el = el;
    this.co = co;
    this.term = lineBreaks ? `${seg}\n` : seg;
    this.forbidden = [el, co, rep, seg, '\r', '\n'];
  }

  fail(code: 'missing-element' | 'invalid-character' | 'invalid-amount' | 'invalid-date' | 'invalid-number' | 'unsupported-value', message: string, id: string): never {
    throw new X12Error(makeIssue(code, message, this.count, id));
  }

  /** Checks that a value can be written (no delimiter inside). */
  clean(value: string, path: string, id: string): string {
    for (const f of this.forbidden) {
      if (value.includes(f)) this.fail('invalid-character', `${path} '${value}' contains a delimiter or line break (${JSON.stringify(f)})`, id);
    }
    return value;
  }

  required(value: string | undefined, path: string, id: string): string {
    if (value === undefined || value === '') this.fail('missing-element', `${path} is required`, id);
    return this.clean(value, path, id);
  }

  /** Joins components, dropping trailing empty ones. */
  composite(parts: (string | undefined)[]): string {
    let n = parts.length;
    while (n > 0 && (parts[n - 1] === undefined || parts[n - 1] === '')) n--;
    let s = '';
    for (let i = 0; i < n; i++) s += (i > 0 ? this.co : '') + (parts[i] ?? '');
    return s;
  }

  /** Writes a segment; trailing empty elements are dropped. Values must already be clean. */
  seg(id: string, ...elements: (string | undefined)[]): void {
    let n = elements.length;
    while (n > 0 && (elements[n - 1] === undefined || elements[n - 1] === '')) n--;
    let s = id;
    for (let i = 0; i < n; i++) s += this.el + (elements[i] ?? '');
    this.out.push(s + this.term);
    this.count++;
  }

  /** Writes a pre-built segment verbatim (ISA). */
  raw(text: string): void {
    this.out.push(text + this.term);
    this.count++;
  }

  startTx(): void {
    this.txStart = this.count;
  }

  txSegments(): number {
    return this.count - this.txStart + 1; // + SE itself
  }

  text(): string {
    return this.out.join('');
  }
}

function pad(value: string, width: number): string {
  return value.length >= width ? value : value + SPACES.slice(0, width - value.length);
}

function stableKey(v: unknown): string {
  if (v === undefined) return 'u';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableKey).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableKey(o[k])}`)
    .join(',')}}`;
}

const keyCache = new WeakMap<object, string>();

/** Whether two party objects hold the same values (same reference, or same keys and values). */
function same(a: object | undefined, b: object | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  let ka = keyCache.get(a);
  if (ka === undefined) keyCache.set(a, (ka = stableKey(a)));
  let kb = keyCache.get(b);
  if (kb === undefined) keyCache.set(b, (kb = stableKey(b)));
  return ka === kb;
}

function sameSubscriberGroup(a: Claim837, b: Claim837): boolean {
  return (
    a.payerResponsibility === b.payerResponsibility &&
    a.claimFilingIndicator === b.claimFilingIndicator &&
    (a.patient === undefined) === (b.patient === undefined) &&
    same(a.subscriber, b.subscriber) &&
    same(a.payer, b.payer)
  );
}

function controlDigits(value: number | string, width: number, what: string, w: Writer, id: string): string {
  const s = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+$/.test(s) || s.length > width || Number(s) < 1) w.fail('invalid-number', `${what} '${value}' must be 1–${'9'.repeat(width)}`, id);
  return s;
}

interface Stamp {
  ccyymmdd: string;
  hhmm: string;
}

function envelopeStamp(input: Write837Input, w: Writer): Stamp {
  const { date, time } = input.interchange;
  let ccyymmdd: string | undefined;
  let hhmm: string | undefined;
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) w.fail('invalid-date', 'interchange.date is an invalid Date', 'ISA');
    const iso = date.toISOString();
    ccyymmdd = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
    hhmm = iso.slice(11, 13) + iso.slice(14, 16);
  } else if (typeof date === 'string') {
    const compact = /^\d{8}$/.test(date);
    ccyymmdd = compact ? (parseDate8(date) === undefined ? undefined : date) : isoToDate8(date.slice(0, 10));
    if (ccyymmdd === undefined) w.fail('invalid-date', `interchange.date '${date}' is not YYYY-MM-DD`, 'ISA');
    const m = compact ? null : /^[T ](\d{2}):?(\d{2})/.exec(date.slice(10));
    if (m) hhmm = `${m[1]}${m[2]}`;
  } else {
    let latest = '';
    for (const c of input.claims) for (const l of c.lines) if (l.serviceDate > latest) latest = l.serviceDate;
    ccyymmdd = isoToDate8(latest);
    if (ccyymmdd === undefined) w.fail('missing-element', 'interchange.date is required when no claim has a service date', 'ISA');
  }
  if (time !== undefined) {
    const m = /^(\d{2}):?(\d{2})(?::?\d{2}(?:\.\d+)?)?$/.exec(time);
    if (!m) w.fail('invalid-date', `interchange.time '${time}' is not HH:MM`, 'ISA');
    hhmm = `${m[1]}${m[2]}`;
  }
  hhmm ??= '0000';
  const h = Number(hhmm.slice(0, 2));
  const mi = Number(hhmm.slice(2));
  if (h > 23 || mi > 59) w.fail('invalid-date', `time ${hhmm} is not a valid HHMM`, 'ISA');
  return { ccyymmdd, hhmm };
}

function date8(w: Writer, iso: string, path: string, id: string): string {
  const d = isoToDate8(iso);
  if (d === undefined) w.fail('invalid-date', `${path} '${iso}' is not a valid YYYY-MM-DD date`, id);
  return d;
}

function amount(w: Writer, cents: number, path: string, id: string): string {
  if (!Number.isSafeInteger(cents)) w.fail('invalid-amount', `${path} ${cents} is not an integer number of cents`, id);
  if (Math.abs(cents) >= 1e15) w.fail('invalid-amount', `${path} ${cents} has more than 13 integer digits`, id);
  return formatCents(cents);
}

function writeAddress(w: Writer, a: Address, path: string): void {
  w.seg('N3', w.required(a.line1, `${path}.line1`, 'N3'), a.line2 === undefined ? undefined : w.required(a.line2, `${path}.line2`, 'N3'));
  w.seg(
    'N4',
    w.clean(a.city, `${path}.city`, 'N4'),
    w.clean(a.state, `${path}.state`, 'N4'),
    w.clean(a.postalCode, `${path}.postalCode`, 'N4'),
    a.countryCode === undefined ? undefined : w.required(a.countryCode, `${path}.countryCode`, 'N4'),
  );
}

function opt(w: Writer, v: string | undefined, path: string, id: string): string | undefined {
  return v === undefined ? undefined : w.required(v, path, id);
}

function writeProvider(w: Writer, code: string, p: Provider837, path: string): void {
  const person = p.firstName !== undefined;
  w.seg(
    'NM1',
    code,
    person ? '1' : '2',
    w.required(p.lastName, `${path}.lastName`, 'NM1'),
    person ? w.clean(p.firstName ?? '', `${path}.firstName`, 'NM1') : undefined,
    opt(w, p.middleName, `${path}.middleName`, 'NM1'),
    undefined,
    opt(w, p.suffix, `${path}.suffix`, 'NM1'),
    p.npi === undefined ? undefined : 'XX',
    opt(w, p.npi, `${path}.npi`, 'NM1'),
  );
}

function writeDates(w: Writer, dates: readonly Dated[], path: string): void {
  dates.forEach((d, i) => {
    const q = w.required(d.qualifier, `${path}[${i}].qualifier`, 'DTP');
    const start = date8(w, d.date, `${path}[${i}].date`, 'DTP');
    if (d.endDate !== undefined) w.seg('DTP', q, 'RD8', `${start}-${date8(w, d.endDate, `${path}[${i}].endDate`, 'DTP')}`);
    else w.seg('DTP', q, 'D8', start);
  });
}

function procedureComposite(w: Writer, p: Procedure, path: string): string {
  if (p.modifiers.length > 4) w.fail('invalid-number', `${path}.modifiers has ${p.modifiers.length} entries, at most 4`, 'SV1');
  const parts: (string | undefined)[] = [w.required(p.qualifier, `${path}.qualifier`, 'SV1'), w.required(p.code, `${path}.code`, 'SV1')];
  for (let i = 0; i < 4; i++) parts.push(i < p.modifiers.length ? w.clean(p.modifiers[i] ?? '', `${path}.modifiers[${i}]`, 'SV1') : undefined);
  parts.push(opt(w, p.description, `${path}.description`, 'SV1'));
  if (p.description === undefined && p.modifiers.length > 0 && p.modifiers[p.modifiers.length - 1] === '') {
    w.fail('missing-element', `${path}.modifiers must not end with an empty modifier`, 'SV1');
  }
  return w.composite(parts);
}

function writeClaim(w: Writer, c: Claim837, path: string): void {
  const id = 'CLM';
  const pcn = w.required(c.patientControlNumber, `${path}.patientControlNumber`, id);
  w.seg(
    'CLM',
    pcn,
    amount(w, c.chargeCents, `${path}.chargeCents`, id),
    undefined,
    undefined,
    w.composite([w.required(c.placeOfService, `${path}.placeOfService`, id), 'B', w.required(c.frequencyCode, `${path}.frequencyCode`, id)]),
    w.clean(c.providerSignature ?? 'Y', `${path}.providerSignature`, id),
    w.clean(c.assignmentParticipation ?? 'A', `${path}.assignmentParticipation`, id),
    w.clean(c.benefitsAssignment ?? 'Y', `${path}.benefitsAssignment`, id),
    w.clean(c.releaseOfInformation ?? 'Y', `${path}.releaseOfInformation`, id),
    opt(w, c.patientSignatureSource, `${path}.patientSignatureSource`, id),
  );
  if (c.dates) writeDates(w, c.dates, `${path}.dates`);
  if (c.patientPaidCents !== undefined) w.seg('AMT', 'F5', amount(w, c.patientPaidCents, `${path}.patientPaidCents`, 'AMT'));
  if (c.referralNumber !== undefined) w.seg('REF', '9F', w.required(c.referralNumber, `${path}.referralNumber`, 'REF'));
  if (c.priorAuthorization !== undefined) w.seg('REF', 'G1', w.required(c.priorAuthorization, `${path}.priorAuthorization`, 'REF'));
  if (c.payerClaimControlNumber !== undefined) w.seg('REF', 'F8', w.required(c.payerClaimControlNumber, `${path}.payerClaimControlNumber`, 'REF'));
  if (c.medicalRecordNumber !== undefined) w.seg('REF', 'EA', w.required(c.medicalRecordNumber, `${path}.medicalRecordNumber`, 'REF'));
  if (c.diagnoses.length > 12) w.fail('invalid-number', `${path}.diagnoses has ${c.diagnoses.length} codes, at most 12`, 'HI');
  if (c.diagnoses.length > 0) {
    w.seg(
      'HI',
      ...c.diagnoses.map((d, i) =>
        w.composite([diagnosisQualifier(w, d.qualifier, `${path}.diagnoses[${i}].qualifier`), w.required(d.code, `${path}.diagnoses[${i}].code`, 'HI')]),
      ),
    );
  }
  if (c.referringProvider) {
    if (c.referringProvider.taxonomy !== undefined) {
      w.fail('unsupported-value', `${path}.referringProvider.taxonomy cannot be written: loop 2310A has no PRV segment`, 'NM1');
    }
    writeProvider(w, 'DN', c.referringProvider, `${path}.referringProvider`);
  }
  if (c.renderingProvider) {
    writeProvider(w, '82', c.renderingProvider, `${path}.renderingProvider`);
    if (c.renderingProvider.taxonomy !== undefined) w.seg('PRV', 'PE', 'PXC', w.required(c.renderingProvider.taxonomy, `${path}.renderingProvider.taxonomy`, 'PRV'));
  }
  if (c.facility) {
    const f = c.facility;
    w.seg('NM1', '77', '2', w.required(f.name, `${path}.facility.name`, 'NM1'), undefined, undefined, undefined, undefined, f.npi === undefined ? undefined : 'XX', opt(w, f.npi, `${path}.facility.npi`, 'NM1'));
    writeAddress(w, f.address, `${path}.facility.address`);
  }
  c.lines.forEach((l, i) => {
    const lp = `${path}.lines[${i}]`;
    w.seg('LX', String(i + 1));
    if (l.diagnosisPointers.length > 4) w.fail('invalid-number', `${lp}.diagnosisPointers has ${l.diagnosisPointers.length} entries, at most 4`, 'SV1');
    for (const p of l.diagnosisPointers) {
      if (!Number.isInteger(p) || p < 1 || p > 12) w.fail('invalid-number', `${lp}.diagnosisPointers contains ${p}, not 1–12`, 'SV1');
    }
    const units = decimal(w, l.units, `${lp}.units`, 'SV1');
    w.seg(
      'SV1',
      procedureComposite(w, l.procedure, `${lp}.procedure`),
      amount(w, l.chargeCents, `${lp}.chargeCents`, 'SV1'),
      w.required(l.unitType, `${lp}.unitType`, 'SV1'),
      units,
      opt(w, l.placeOfService, `${lp}.placeOfService`, 'SV1'),
      undefined,
      w.composite(l.diagnosisPointers.map(String)),
      undefined,
      l.emergency === true ? 'Y' : undefined,
    );
    const start = date8(w, l.serviceDate, `${lp}.serviceDate`, 'DTP');
    if (l.serviceDateEnd !== undefined) w.seg('DTP', '472', 'RD8', `${start}-${date8(w, l.serviceDateEnd, `${lp}.serviceDateEnd`, 'DTP')}`);
    else w.seg('DTP', '472', 'D8', start);
    if (l.dates) writeDates(w, l.dates, `${lp}.dates`);
    if (l.lineControlNumber !== undefined) w.seg('REF', '6R', w.required(l.lineControlNumber, `${lp}.lineControlNumber`, 'REF'));
    if (l.renderingProvider) {
      writeProvider(w, '82', l.renderingProvider, `${lp}.renderingProvider`);
      if (l.renderingProvider.taxonomy !== undefined) w.seg('PRV', 'PE', 'PXC', w.required(l.renderingProvider.taxonomy, `${lp}.renderingProvider.taxonomy`, 'PRV'));
    }
  });
}

function writeTransaction(w: Writer, input: Write837Input, claims: readonly Claim837[], first: number, control: string, stamp: Stamp, reference: string): void {
  w.startTx();
  w.seg('ST', '837', control, VERSION);
  w.seg('BHT', '0019', '00', reference, stamp.ccyymmdd, stamp.hhmm, input.claimType ?? 'CH');
  const s = input.submitter;
  w.seg('NM1', '41', '2', w.required(s.name, 'submitter.name', 'NM1'), undefined, undefined, undefined, undefined, '46', w.required(s.id, 'submitter.id', 'NM1'));
  const comm: string[] = [];
  if (s.phone !== undefined) comm.push('TE', w.required(s.phone, 'submitter.phone', 'PER'));
  if (s.email !== undefined) comm.push('EM', w.required(s.email, 'submitter.email', 'PER'));
  w.seg('PER', 'IC', w.clean(s.contactName ?? s.name, 'submitter.contactName', 'PER'), ...comm);
  const rc = input.receiver;
  w.seg('NM1', '40', '2', w.required(rc.name, 'receiver.name', 'NM1'), undefined, undefined, undefined, undefined, '46', w.required(rc.id, 'receiver.id', 'NM1'));

  let hl = 0;
  let i = 0;
  while (i < claims.length) {
    // billing provider HL (20): consecutive claims with the same billing provider
    const bp = (claims[i] as Claim837).billingProvider;
    let bpEnd = i + 1;
    while (bpEnd < claims.length && same((claims[bpEnd] as Claim837).billingProvider, bp)) bpEnd++;
    const bpPath = `claims[${first + i}].billingProvider`;
    const bpHl = ++hl;
    w.seg('HL', String(bpHl), undefined, '20', '1');
    if (bp.taxonomy !== undefined) w.seg('PRV', 'BI', 'PXC', w.required(bp.taxonomy, `${bpPath}.taxonomy`, 'PRV'));
    const person = bp.firstName !== undefined;
    w.seg(
      'NM1',
      '85',
      person ? '1' : '2',
      w.required(bp.name, `${bpPath}.name`, 'NM1'),
      person ? w.clean(bp.firstName ?? '', `${bpPath}.firstName`, 'NM1') : undefined,
      undefined,
      undefined,
      undefined,
      'XX',
      w.required(bp.npi, `${bpPath}.npi`, 'NM1'),
    );
    writeAddress(w, bp.address, `${bpPath}.address`);
    if (bp.taxId !== undefined) w.seg('REF', 'EI', w.required(bp.taxId, `${bpPath}.taxId`, 'REF'));
    if (bp.payToAddress) {
      w.seg('NM1', '87', '2');
      writeAddress(w, bp.payToAddress, `${bpPath}.payToAddress`);
    }
    // subscriber HLs (22)
    let j = i;
    while (j < bpEnd) {
      const cj = claims[j] as Claim837;
      let subEnd = j + 1;
      while (subEnd < bpEnd && sameSubscriberGroup(claims[subEnd] as Claim837, cj)) subEnd++;
      const sp = `claims[${first + j}]`;
      const sub = cj.subscriber;
      const subHl = ++hl;
      const hasPatient = cj.patient !== undefined;
      w.seg('HL', String(subHl), String(bpHl), '22', hasPatient ? '1' : '0');
      w.seg(
        'SBR',
        w.required(cj.payerResponsibility ?? 'P', `${sp}.payerResponsibility`, 'SBR'),
        w.clean(sub.relationship, `${sp}.subscriber.relationship`, 'SBR'),
        opt(w, sub.groupNumber, `${sp}.subscriber.groupNumber`, 'SBR'),
        opt(w, sub.groupName, `${sp}.subscriber.groupName`, 'SBR'),
        undefined,
        undefined,
        undefined,
        undefined,
        opt(w, cj.claimFilingIndicator, `${sp}.claimFilingIndicator`, 'SBR'),
      );
      w.seg(
        'NM1',
        'IL',
        '1',
        w.required(sub.lastName, `${sp}.subscriber.lastName`, 'NM1'),
        w.clean(sub.firstName, `${sp}.subscriber.firstName`, 'NM1'),
        opt(w, sub.middleName, `${sp}.subscriber.middleName`, 'NM1'),
        undefined,
        opt(w, sub.suffix, `${sp}.subscriber.suffix`, 'NM1'),
        'MI',
        w.required(sub.memberId, `${sp}.subscriber.memberId`, 'NM1'),
      );
      if (sub.address) writeAddress(w, sub.address, `${sp}.subscriber.address`);
      if (sub.dateOfBirth !== undefined || sub.gender !== undefined) {
        w.seg(
          'DMG',
          sub.dateOfBirth === undefined ? undefined : 'D8',
          sub.dateOfBirth === undefined ? undefined : date8(w, sub.dateOfBirth, `${sp}.subscriber.dateOfBirth`, 'DMG'),
          opt(w, sub.gender, `${sp}.subscriber.gender`, 'DMG'),
        );
      }
      const payer = cj.payer;
      w.seg('NM1', 'PR', '2', w.required(payer.name, `${sp}.payer.name`, 'NM1'), undefined, undefined, undefined, undefined, 'PI', w.required(payer.id, `${sp}.payer.id`, 'NM1'));
      if (payer.address) writeAddress(w, payer.address, `${sp}.payer.address`);

      if (!hasPatient) {
        for (let k = j; k < subEnd; k++) writeClaim(w, claims[k] as Claim837, `claims[${first + k}]`);
      } else {
        let k = j;
        while (k < subEnd) {
          const pk = (claims[k] as Claim837).patient;
          let patEnd = k + 1;
          while (patEnd < subEnd && same((claims[patEnd] as Claim837).patient, pk)) patEnd++;
          const pp = `claims[${first + k}].patient`;
          const pat = (claims[k] as Claim837).patient as NonNullable<Claim837['patient']>;
          w.seg('HL', String(++hl), String(subHl), '23', '0');
          w.seg('PAT', w.required(pat.relationship, `${pp}.relationship`, 'PAT'));
          w.seg(
            'NM1',
            'QC',
            '1',
            w.required(pat.lastName, `${pp}.lastName`, 'NM1'),
            w.clean(pat.firstName, `${pp}.firstName`, 'NM1'),
            opt(w, pat.middleName, `${pp}.middleName`, 'NM1'),
            undefined,
            opt(w, pat.suffix, `${pp}.suffix`, 'NM1'),
          );
          if (pat.address) writeAddress(w, pat.address, `${pp}.address`);
          if (pat.dateOfBirth !== undefined || pat.gender !== undefined) {
            w.seg(
              'DMG',
              pat.dateOfBirth === undefined ? undefined : 'D8',
              pat.dateOfBirth === undefined ? undefined : date8(w, pat.dateOfBirth, `${pp}.dateOfBirth`, 'DMG'),
              opt(w, pat.gender, `${pp}.gender`, 'DMG'),
            );
          }
          for (let m = k; m < patEnd; m++) writeClaim(w, claims[m] as Claim837, `claims[${first + m}]`);
          k = patEnd;
        }
      }
      j = subEnd;
    }
    i = bpEnd;
  }
  w.seg('SE', String(w.txSegments()), control);
}

function separator(value: string | undefined, fallback: string, what: string): string {
  const v = value ?? fallback;
  if (v.length !== 1 || /[A-Za-z0-9 ]/.test(v)) {
    throw new X12Error(makeIssue('invalid-character', `separators.${what} '${v}' must be one non-alphanumeric character`, 0, 'ISA'));
  }
  return v;
}

/**
 * Writes 837 professional claims (005010X222A1) in one interchange with one functional group.
 * Claims keep their order; consecutive claims with the same billing provider share an HL 20,
 * with the same subscriber and payer an HL 22, with the same patient an HL 23. Deterministic: the
 * envelope date comes from the input, never the clock.
 */
export function write837P(input: Write837Input): string {
  const sep = input.separators ?? {};
  const el = separator(sep.element, '*', 'element');
  const co = separator(sep.component, ':', 'component');
  const rep = separator(sep.repetition, '^', 'repetition');
  const term = separator(sep.segment, '~', 'segment');
  if (new Set([el, co, rep, term]).size !== 4) {
    throw new X12Error(makeIssue('invalid-character', 'separators must be four different characters', 0, 'ISA'));
  }
  const w = new Writer(el, co, rep, term, input.lineBreaks === true);
  const ic = input.interchange;
  if (input.claims.length === 0) w.fail('missing-element', 'claims must not be empty', 'ISA');
  const control = controlDigits(ic.controlNumber, 9, 'interchange.controlNumber', w, 'ISA');
  const stamp = envelopeStamp(input, w);
  const idField = (v: string, what: string): string => {
    w.required(v, what, 'ISA');
    if (v.length > 15) w.fail('invalid-character', `${what} '${v}' is longer than 15 characters`, 'ISA');
    return pad(v, 15);
  };
  const qual = (v: string | undefined, what: string): string => {
    const q = v ?? 'ZZ';
    if (!/^[A-Z0-9]{2}$/.test(q)) w.fail('invalid-character', `${what} '${q}' must be two characters`, 'ISA');
    return q;
  };
  if (ic.usage !== 'T' && ic.usage !== 'P') w.fail('invalid-character', `interchange.usage '${String(ic.usage)}' must be T or P`, 'ISA');
  const isa = [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    qual(ic.senderQualifier, 'interchange.senderQualifier'),
    idField(ic.senderId, 'interchange.senderId'),
    qual(ic.receiverQualifier, 'interchange.receiverQualifier'),
    idField(ic.receiverId, 'interchange.receiverId'),
    stamp.ccyymmdd.slice(2),
    stamp.hhmm,
    rep,
    '00501',
    control.padStart(9, '0'),
    ic.acknowledgmentRequested === true ? '1' : '0',
    ic.usage,
    co,
  ].join(el);
  w.raw(isa);
  const g = input.group ?? {};
  const groupControl = controlDigits(g.controlNumber ?? control, 9, 'group.controlNumber', w, 'GS');
  w.seg(
    'GS',
    'HC',
    w.required(g.senderCode ?? ic.senderId.trim(), 'group.senderCode', 'GS'),
    w.required(g.receiverCode ?? ic.receiverId.trim(), 'group.receiverCode', 'GS'),
    stamp.ccyymmdd,
    stamp.hhmm,
    groupControl,
    'X',
    VERSION,
  );
  const per = input.maxClaimsPerTransaction ?? 5000;
  if (!Number.isInteger(per) || per < 1) w.fail('invalid-number', `maxClaimsPerTransaction ${per} must be a positive integer`, 'ST');
  const reference = w.required(input.referenceId ?? control, 'referenceId', 'BHT');
  let transactions = 0;
  for (let start = 0; start < input.claims.length; start += per) {
    transactions++;
    const st = String(transactions).padStart(4, '0');
    writeTransaction(w, input, input.claims.slice(start, start + per), start, st, stamp, reference);
  }
  w.seg('GE', String(transactions), groupControl);
  w.seg('IEA', '1', control.padStart(9, '0'));
  return w.text();
}

const DIAGNOSIS_QUALIFIERS = new Set(['ABK', 'ABF', 'BK', 'BF']);

/** An HI qualifier parse837P reads back: ABK/ABF (ICD-10-CM) or BK/BF (ICD-9-CM). */
function diagnosisQualifier(w: Writer, qualifier: string, path: string): string {
  if (!DIAGNOSIS_QUALIFIERS.has(qualifier)) w.fail('unsupported-value', `${path} '${qualifier}' is not ABK, ABF, BK or BF`, 'HI');
  return qualifier;
}

/** A non-money decimal (X12 type R: at most 15 digits, no exponent), or an X12Error. */
function decimal(w: Writer, n: number, path: string, id: string): string {
  if (!Number.isFinite(n)) w.fail('invalid-number', `${path} ${n} is not a number`, id);
  let text: string | undefined;
  try {
    text = formatDecimal(n);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.replace(/[-.]/g, '').length > 15) {
    w.fail('invalid-number', `${path} ${n} cannot be written as an X12 decimal (at most 15 digits, no exponent)`, id);
  }
  return text;
}
