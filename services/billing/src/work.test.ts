import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { InputOf } from '@mso/contracts';
import {
  type adjustmentGroups,
  appealDenial,
  claimsByStatusReport,
  claimWrittenOff,
  createPatient,
  createPayer,
  createProvider,
  getDenial,
  listDenials,
  listMissingEras,
  listTimelyFiling,
  resubmitDenial,
  revenueCycleByPracticeReport,
  revenueCycleReport,
  updateDenial,
  updateMissingEra,
  writeOffDenial,
} from '@mso/contracts/billing';
import { staffMemberChanged } from '@mso/contracts/hr';
import type { Db } from '@mso/kit';
import { testService, type TestService } from '@mso/testing';
import { claimAdjudications, claimLines, claims } from './db/schema.js';
import { insertClaim, loadClaim } from './handlers/claim-store.js';
import { enqueueDenials } from './handlers/work/index.js';
import { billing } from './service.js';

let t: TestService;
let practiceId: string;
let otherPractice: string;
const ids: Record<string, { payerId: string; slowPayerId: string; patientId: string; providerId: string }> = {};
const admin = (practice = practiceId) => ({ practiceId: practice, role: 'practice-admin' as const });
const db = () => t.database!.db as unknown as Db;
/** HR announces a person (`hr.staff-member.changed`): assignees must be people of its staff directory. */
async function staffMember(displayName: string, employer: string, endDate: string | null = null): Promise<string> {
  const personId = randomUUID();
  await t.deliver(staffMemberChanged, { personId, displayName, employments: [{ employmentId: randomUUID(), employer, title: 'Biller', department: 'Revenue cycle', startDate: '2025-01-06', endDate }] });
  return personId;
}

// ---- Claims and postings, written as claim import and remittance posting leave them ---------------

interface LineSpec {
  code: string;
  charge: number;
}
let pcnSeq = 0;
async function claim(lines: LineSpec[], options: { practice?: string; status?: string; serviceDate?: string; submittedAt?: string; payer?: 'slow'; accepted?: boolean | null } = {}) {
  const practice = options.practice ?? practiceId;
  const pcn = `WQ${String(++pcnSeq).padStart(4, '0')}`;
  const serviceDate = options.serviceDate ?? '2026-04-01';
  const row = await insertClaim(
    db(),
    practice,
    {
      patientControlNumber: pcn,
      status: options.status ?? 'submitted',
      frequencyCode: '1',
      patientId: ids[practice]!.patientId,
      payerId: options.payer === 'slow' ? ids[practice]!.slowPayerId : ids[practice]!.payerId,
      billingProviderId: ids[practice]!.providerId,
      renderingProviderId: ids[practice]!.providerId,
      placeOfService: '11',
      diagnoses: [{ code: 'E119', qualifier: 'ABK' }],
      serviceDateFrom: serviceDate,
      serviceDateTo: serviceDate,
      chargeCents: lines.reduce((n, l) => n + l.charge, 0),
      findings: [],
      duplicateKey: `${pcn}-key`,
      details: {},
    },
    lines.map((l, i) => ({
      lineNumber: i + 1,
      procedureCode: l.code,
      modifiers: [],
      units: 1,
      chargeCents: l.charge,
      diagnosisPointers: [1],
      serviceDate,
      lineControlNumber: `${pcn}-${i + 1}`,
      details: {},
    })),
    { by: 'test', at: t.clock.now() },
  );
  if (options.status !== 'draft' && options.status !== 'ready') {
    const submittedAt = new Date(options.submittedAt ?? '2026-04-05T15:00:00Z');
    await db()
      .update(claims)
      .set({ submissionCount: 1, firstSubmittedAt: submittedAt, lastSubmittedAt: submittedAt, acceptedOnFirstSubmission: options.accepted ?? null })
      .where(eq(claims.id, row.id));
  }
  const lineRows = await db().select().from(claimLines).where(eq(claimLines.claimId, row.id)).orderBy(claimLines.lineNumber);
  return { id: row.id, pcn, lines: lineRows.map((l) => l.id), practice };
}

type Cas = [group: string, reason: string, amount: number];
type Group = (typeof adjustmentGroups)[number];
interface PostingSpec {
  statusCode?: string;
  paymentDate?: string;
  lines?: { paid: number; cas?: Cas[]; remarks?: string[]; denied?: boolean }[];
  claimCas?: Cas[];
  remarks?: string[];
  reverses?: string;
  /** Leaves the denied amounts on the balance (a payer that did not adjust them off). */
  leaveOpen?: boolean;
}

/** Writes a posting (adjudication row, line and claim totals, status) as remittance posting does; returns its id. */
async function post(c: { id: string; lines: string[]; practice: string }, spec: PostingSpec, options: { enqueue?: boolean; at?: Date } = {}): Promise<string> {
  const id = randomUUID();
  const at = t.clock.now();
  t.clock.advance(1000);
  const sign = spec.reverses ? -1 : 1;
  const lineSpecs = spec.lines ?? [];
  const adjustments = [
    ...lineSpecs.flatMap((l, i) => (l.cas ?? []).map(([group, reason, amount]) => ({ lineId: c.lines[i]!, group: group as Group, reason, amountCents: sign * amount }))),
    ...(spec.claimCas ?? []).map(([group, reason, amount]) => ({ lineId: null, group: group as Group, reason, amountCents: sign * amount })),
  ];
  const paid = lineSpecs.reduce((n, l) => n + l.paid, 0) * sign;
  const pr = adjustments.filter((a) => a.group === 'PR').reduce((n, a) => n + a.amountCents, 0);
  await t.database!.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.insert(claimAdjudications).values({
      id,
      practiceId: c.practice,
      claimId: c.id,
      source: 'era',
      remittanceId: null,
      statusCode: spec.reverses ? '22' : (spec.statusCode ?? '1'),
      reversal: !!spec.reverses,
      reversesId: spec.reverses ?? null,
      payerClaimControlNumber: 'ICN-1',
      paidCents: paid,
      patientResponsibilityCents: pr,
      adjustments,
      lines: lineSpecs.map((l, i) => ({ lineId: c.lines[i]!, paidCents: sign * l.paid, remarks: l.remarks ?? [] })),
      remarks: spec.remarks ?? [],
      paymentDate: spec.paymentDate ?? '2026-05-20',
      postedAt: at,
      postedBy: 'test',
    });
    const [row] = await tx.select().from(claims).where(eq(claims.id, c.id));
    let adjTotal = 0;
    let deniedLines = 0;
    for (const [i, l] of lineSpecs.entries()) {
      const [line] = await tx.select().from(claimLines).where(eq(claimLines.id, c.lines[i]!));
      const own = adjustments.filter((a) => a.lineId === line!.id);
      const adj = own.filter((a) => a.group !== 'PR' && !(spec.leaveOpen && l.denied)).reduce((n, a) => n + a.amountCents, 0);
      adjTotal += adj;
      if (l.denied) deniedLines++;
      await tx
        .update(claimLines)
        .set({
          paidCents: line!.paidCents + sign * l.paid,
          adjustmentCents: line!.adjustmentCents + adj,
          patientResponsibilityCents: line!.patientResponsibilityCents + own.filter((a) => a.group === 'PR').reduce((n, a) => n + a.amountCents, 0),
          denied: !spec.reverses && !!l.denied,
        })
        .where(eq(claimLines.id, line!.id));
    }
    const status = spec.reverses ? 'accepted' : spec.statusCode === '4' || (deniedLines && deniedLines === lineSpecs.length) ? 'denied' : deniedLines ? 'partially-paid' : 'paid';
    await tx
      .update(claims)
      .set({ status, paidCents: row!.paidCents + paid, adjustmentCents: row!.adjustmentCents + adjTotal, patientResponsibilityCents: row!.patientResponsibilityCents + pr, payerClaimControlNumber: 'ICN-1' })
      .where(eq(claims.id, c.id));
    // As posting calls it; without a time the items take the posting's.
    if (options.enqueue) await enqueueDenials(tx, c.practice, [c.id], options.at);
  });
  return id;
}

const denials = async (input: InputOf<typeof listDenials> = {}, as = admin()) => (await t.call(listDenials, input, as)).items;

async function setUpPractice(practice: string) {
  const as = admin(practice);
  ids[practice] = {
    payerId: (await t.call(createPayer, { name: 'Gulf Coast Health Plan', ediPayerId: 'GCHP1', claimFilingIndicatorCode: 'CI' }, as)).id,
    slowPayerId: (await t.call(createPayer, { name: 'State Medicaid', ediPayerId: 'MCD01', claimFilingIndicatorCode: 'MC', timelyFilingDays: 180 }, as)).id,
    patientId: (await t.call(createPatient, { firstName: 'Jane', lastName: 'Doe', dateOfBirth: '1980-01-02', sex: 'F', address: { line1: '1 Main St', city: 'Tampa', state: 'FL', postalCode: '33606' } }, as)).id,
    providerId: (await t.call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, as)).id,
  };
}

beforeAll(async () => {
  // While other parts of the contract are being built, start the service with the operations it handles.
  t = await testService({ ...billing, operations: billing.handlers.map((h) => h.operation) }, { clock: '2026-06-01T15:00:00Z' });
  practiceId = await t.practice({ timeZone: 'America/New_York', terms: { billing: { timelyFilingDays: 90, missingEraDays: 30, missingEraDaysByPayer: { MCD01: 60 } } } });
  otherPractice = await t.practice({ timeZone: 'America/Chicago' });
  await setUpPractice(practiceId);
  await setUpPractice(otherPractice);
}, 60_000);
afterAll(() => t.close());

// ---- Denial queue -----------------------------------------------------------------------------------

describe('denial work queue', () => {
  it('queues the denied line of a posting with its CARC and RARC descriptions; unknown codes show as unknown', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }, { code: '97110', charge: 9000 }, { code: '36415', charge: 2500 }]);
    await post(c, {
      lines: [
        { paid: 11000, cas: [['CO', '45', 5000], ['PR', '2', 4000]] },
        { paid: 0, cas: [['CO', '50', 9000]], remarks: ['N115'], denied: true },
        { paid: 0, cas: [['CO', 'Q99', 2500]], remarks: ['ZZ999'], denied: true },
      ],
      remarks: ['MA01'],
    });
    await t.runJob('denial-queue');
    const items = (await denials({ claimId: c.id })).sort((a, b) => a.line!.lineNumber - b.line!.lineNumber);
    expect(items.map((i) => i.line?.procedureCode)).toEqual(['97110', '36415']);
    expect(items[0]).toMatchObject({
      claimId: c.id,
      patientControlNumber: c.pcn,
      claimStatus: 'partially-paid',
      status: 'open',
      deniedCents: 9000,
      deniedOn: '2026-05-20',
      reasons: [{ group: 'CO', groupDescription: 'Contractual Obligations', reason: '50', known: true, amountCents: 9000 }],
      remarks: [
        { code: 'N115', known: true },
        { code: 'MA01', known: true },
      ],
    });
    expect(items[0]!.reasons[0]!.description).toMatch(/medical necessity/);
    expect(items[0]!.remarks[0]!.description).toMatch(/Local Coverage Determination/);
    expect(items[1]).toMatchObject({ reasons: [{ reason: 'Q99', known: false, description: expect.stringMatching(/unknown/i) }], remarks: [{ code: 'ZZ999', known: false }, { code: 'MA01' }] });

    // Running the job again queues nothing twice.
    await t.runJob('denial-queue');
    expect(await denials({ claimId: c.id })).toHaveLength(2);
  });

  it('queues a partly paid line by its denial code only, not the contractual write-down or the patient share', async () => {
    const c = await claim([{ code: '99215', charge: 30000 }, { code: '99213', charge: 15000 }]);
    await post(c, {
      lines: [
        { paid: 12000, cas: [['CO', '45', 8000], ['CO', '151', 6000], ['PR', '3', 4000]] },
        { paid: 0, cas: [['PR', '1', 15000]] },
      ],
    });
    await t.runJob('denial-queue');
    const [item, ...rest] = await denials({ claimId: c.id });
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ line: { lineNumber: 1 }, deniedCents: 6000, reasons: [{ group: 'CO', reason: '151', amountCents: 6000 }] });
  });

  it('is in the queue at once when the posting queues its denials in its own transaction', async () => {
    const c = await claim([{ code: '99204', charge: 25000 }]);
    await post(c, { statusCode: '4', lines: [{ paid: 0, cas: [['CO', '197', 25000]], denied: true }] }, { enqueue: true });
    expect(await denials({ claimId: c.id })).toMatchObject([{ reasons: [{ reason: '197' }], deniedCents: 25000 }]);
  });

  it('queues a claim-level denial without line detail', async () => {
    const c = await claim([{ code: '99213', charge: 15000 }]);
    await post(c, { statusCode: '4', claimCas: [['CO', '29', 15000]] }, { enqueue: true, at: t.clock.now() });
    expect(await denials({ claimId: c.id })).toMatchObject([{ line: null, deniedCents: 15000, reasons: [{ reason: '29', description: 'The time limit for filing has expired.' }] }]);
  });

  it('filters by status, CARC, assignee and follow-up date; assigns, notes and sets follow-up', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }]);
    await post(c, { lines: [{ paid: 0, cas: [['PI', '204', 20000]], denied: true }] }, { enqueue: true });
    const [item] = await denials({ reason: 'PI-204' });
    expect(item!.claimId).toBe(c.id);
    expect(await denials({ reason: 'CO-204' })).toEqual([]);
    expect((await denials({ reason: '204' })).map((i) => i.id)).toEqual([item!.id]);

    const biller = await staffMember('Pat Morgan', 'mso');
    const updated = await t.call(updateDenial, { id: item!.id, assignee: biller, followUpOn: '2026-06-05', note: 'Called payer: plan excludes it' }, { practiceId, role: 'mso-staff', principalId: 'key-biller' });
    expect(updated).toMatchObject({ assignee: biller, assigneeName: 'Pat Morgan', assigneeLabel: null, followUpOn: '2026-06-05', notes: [{ by: 'key-biller', text: 'Called payer: plan excludes it', at: t.clock.now().toISOString() }] });
    expect((await denials({ assignee: biller })).map((i) => i.id)).toEqual([item!.id]);
    // Unknown people, ended employments and another practice's staff are refused, naming the field; nothing changes.
    for (const assignee of [randomUUID(), await staffMember('Dana Cruz', 'mso', '2026-05-15'), await staffMember('Robin Hale', otherPractice)]) {
      await expect(t.call(updateDenial, { id: item!.id, assignee, note: 'not kept' }, admin())).rejects.toMatchObject({ status: 422, errors: [expect.objectContaining({ path: '/assignee' })] });
    }
    expect(await t.call(getDenial, { id: item!.id }, admin())).toMatchObject({ assignee: biller, notes: [{ text: 'Called payer: plan excludes it' }] });
    const officeBiller = await staffMember('Sam Patel', practiceId);
    expect(await t.call(updateDenial, { id: item!.id, assignee: officeBiller }, admin())).toMatchObject({ assignee: officeBiller, assigneeName: 'Sam Patel' });
    expect((await denials({ followUpBy: '2026-06-05' })).map((i) => i.id)).toEqual([item!.id]);
    expect((await denials({ followUpBy: '2026-06-04' })).map((i) => i.id)).not.toContain(item!.id);
    expect((await denials({ unassigned: true })).map((i) => i.id)).not.toContain(item!.id);
    // The assignment can be taken back.
    expect(await t.call(updateDenial, { id: item!.id, assignee: null }, admin())).toMatchObject({ assignee: null, notes: [{ text: 'Called payer: plan excludes it' }] });
  });

  it('pages oldest first', async () => {
    const all = await denials({ status: 'all' });
    const first = await t.call(listDenials, { status: 'all', limit: 2 }, admin());
    const second = await t.call(listDenials, { status: 'all', limit: 2, cursor: first.nextCursor! }, admin());
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual(all.slice(0, 4).map((i) => i.id));
  });

  it('records an appeal with its deadline in the item and the claim history; a past deadline is refused', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }]);
    await post(c, { lines: [{ paid: 0, cas: [['CO', '50', 20000]], denied: true }] }, { enqueue: true });
    const [item] = await denials({ claimId: c.id });
    await expect(t.call(appealDenial, { id: item!.id, deadline: '2026-05-31' }, admin())).rejects.toMatchObject({ status: 422, errors: [{ path: '/deadline' }] });
    const appealed = await t.call(appealDenial, { id: item!.id, deadline: '2026-07-30', note: 'Letter of medical necessity sent' }, admin());
    expect(appealed).toMatchObject({ status: 'appealed', appealDeadline: '2026-07-30', followUpOn: '2026-07-30', appealedAt: t.clock.now().toISOString(), notes: [{ text: 'Letter of medical necessity sent' }] });
    const history = (await loadClaim(db(), practiceId, c.id)).history;
    expect(history.at(-1)).toMatchObject({ action: 'appealed', from: 'denied', to: 'denied', note: 'appeal deadline 2026-07-30' });
    expect((await denials({ status: 'appealed' })).map((i) => i.id)).toContain(item!.id);

    // The payer pays on appeal: a later posting resolves it.
    await post(c, { lines: [{ paid: 14000, cas: [['CO', '45', 6000]] }] });
    await t.runJob('denial-queue');
    expect(await t.call(getDenial, { id: item!.id }, admin())).toMatchObject({ status: 'resolved', resolution: 'paid' });
  });

  it('corrects and resubmits: the claim reopens as a corrected claim (frequency 7) and the item waits for the answer', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }, { code: '93000', charge: 10000 }]);
    await post(c, { lines: [{ paid: 0, cas: [['CO', '16', 20000]], remarks: ['M51'], denied: true }, { paid: 0, cas: [['CO', '4', 10000]], denied: true }] }, { enqueue: true });
    const [first, second] = (await denials({ claimId: c.id })).sort((a, b) => a.line!.lineNumber - b.line!.lineNumber);
    const item = await t.call(resubmitDenial, { id: first!.id, note: 'Procedure code fixed' }, admin());
    expect(item).toMatchObject({ status: 'resubmitted', claimStatus: 'draft', resubmittedAt: t.clock.now().toISOString(), notes: [{ text: 'Procedure code fixed' }] });
    const reopened = await loadClaim(db(), practiceId, c.id);
    expect(reopened).toMatchObject({ status: 'draft', frequencyCode: '7', payerClaimControlNumber: 'ICN-1' });
    expect(reopened.history.map((h) => h.action)).toContain('corrected');
    // Both denials of the claim go out with the corrected claim.
    expect(await t.call(getDenial, { id: second!.id }, admin())).toMatchObject({ status: 'resubmitted' });
    await expect(t.call(resubmitDenial, { id: first!.id }, admin())).rejects.toMatchObject({ status: 409 });

    // The corrected claim is denied again on one line: that line gets a new item, the old ones are settled.
    await db().update(claims).set({ status: 'submitted' }).where(eq(claims.id, c.id));
    await post(c, { lines: [{ paid: 15000, cas: [['CO', '45', 5000]] }, { paid: 0, cas: [['CO', '97', 10000]], denied: true }] });
    await t.runJob('denial-queue');
    expect(await t.call(getDenial, { id: first!.id }, admin())).toMatchObject({ status: 'resolved', resolution: 'paid' });
    expect(await t.call(getDenial, { id: second!.id }, admin())).toMatchObject({ status: 'resolved', resolution: 'adjudicated-again' });
    expect(await denials({ claimId: c.id })).toMatchObject([{ status: 'open', line: { lineNumber: 2 }, reasons: [{ reason: '97' }] }]);
  });

  it('resolves the items of a reversed posting', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }]);
    const posting = await post(c, { lines: [{ paid: 0, cas: [['CO', '18', 20000]], denied: true }] }, { enqueue: true });
    const [item] = await denials({ claimId: c.id });
    await post(c, { reverses: posting, lines: [{ paid: 0, cas: [['CO', '18', 20000]] }] });
    await t.runJob('denial-queue');
    expect(await t.call(getDenial, { id: item!.id }, admin())).toMatchObject({ status: 'resolved', resolution: 'posting-reversed' });
  });

  it('writes off what is open on the line with a reason, publishes it and closes the claim', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }]);
    await post(c, { lines: [{ paid: 0, cas: [['CO', '29', 20000]], denied: true }], leaveOpen: true }, { enqueue: true });
    const [item] = await denials({ claimId: c.id });
    expect(item).toMatchObject({ openBalanceCents: 20000 });
    await expect(t.call(writeOffDenial, { id: item!.id, reason: 'timely-filing', amountCents: 20001 }, { ...admin(), idempotencyKey: randomUUID() })).rejects.toMatchObject({
      status: 422,
      errors: [{ path: '/amountCents' }],
    });
    const done = await t.call(writeOffDenial, { id: item!.id, reason: 'timely-filing', note: 'Filed late, no proof' }, { ...admin(), idempotencyKey: randomUUID(), principalId: 'key-lead' });
    expect(done).toMatchObject({ status: 'written-off', claimStatus: 'closed', openBalanceCents: 0, writeOff: { amountCents: 20000, reason: 'timely-filing', note: 'Filed late, no proof', writtenOffOn: '2026-06-01', by: 'key-lead' } });
    const after = await loadClaim(db(), practiceId, c.id);
    expect(after).toMatchObject({ status: 'closed', adjustmentCents: 20000, balanceCents: 0, lines: [{ adjustmentCents: 20000, balanceCents: 0 }] });
    expect(after.history.at(-1)).toMatchObject({ action: 'written-off', from: 'denied', to: 'closed', by: 'key-lead' });
    const events = (await t.events(claimWrittenOff)).filter((e) => e.subject === c.id);
    expect(events.map((e) => e.data)).toEqual([{ claimId: c.id, amountCents: 20000, reason: 'timely-filing', writtenOffOn: '2026-06-01' }]);
    // Done once: a second write-off is refused and changes nothing.
    await expect(t.call(writeOffDenial, { id: item!.id, reason: 'other' }, { ...admin(), idempotencyKey: randomUUID() })).rejects.toMatchObject({ status: 409 });
    expect((await loadClaim(db(), practiceId, c.id)).adjustmentCents).toBe(20000);
  });

  it('writes off a denial the posting already adjusted off: nothing more comes off the balance, the claim closes', async () => {
    const c = await claim([{ code: '99214', charge: 20000 }]);
    await post(c, { lines: [{ paid: 0, cas: [['CO', '96', 20000]], denied: true }] }, { enqueue: true });
    const [item] = await denials({ claimId: c.id });
    const done = await t.call(writeOffDenial, { id: item!.id, reason: 'non-covered' }, { ...admin(), idempotencyKey: randomUUID() });
    expect(done).toMatchObject({ status: 'written-off', claimStatus: 'closed', writeOff: { amountCents: 0 } });
    expect(await loadClaim(db(), practiceId, c.id)).toMatchObject({ adjustmentCents: 20000, balanceCents: 0 });
  });

  it('needs an idempotency key to write off, and keeps the queue to the billing team', async () => {
    const [item] = await denials();
    await expect(t.call(writeOffDenial, { id: item!.id, reason: 'other' }, admin())).rejects.toMatchObject({ status: 400, code: 'idempotency-key-required' });
    await expect(t.call(listDenials, {}, { practiceId, role: 'practice-user' })).rejects.toMatchObject({ status: 403 });
  });

  it("answers another practice's denial with 404 and never lists it", async () => {
    const theirs = await claim([{ code: '99214', charge: 20000 }], { practice: otherPractice });
    await post(theirs, { lines: [{ paid: 0, cas: [['CO', '50', 20000]], denied: true }] }, { enqueue: true });
    const [item] = await denials({}, admin(otherPractice));
    expect(item!.claimId).toBe(theirs.id);
    expect((await denials({ status: 'all' })).map((i) => i.id)).not.toContain(item!.id);
    await expect(t.call(getDenial, { id: item!.id }, admin())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(updateDenial, { id: item!.id, note: 'x' }, admin())).rejects.toMatchObject({ status: 404 });
    await expect(t.call(writeOffDenial, { id: item!.id, reason: 'other' }, { ...admin(), idempotencyKey: randomUUID() })).rejects.toMatchObject({ status: 404 });
  });
});

// ---- Missing ERAs and timely filing ------------------------------------------------------------------

describe('missing-ERA queue and timely filing', () => {
  let overdue: Awaited<ReturnType<typeof claim>>;
  let recent: Awaited<ReturnType<typeof claim>>;
  let slow: Awaited<ReturnType<typeof claim>>;
  let answered: Awaited<ReturnType<typeof claim>>;

  beforeAll(async () => {
    // Today is 2026-06-01 in New York; the practice's threshold is 30 days, 60 for Medicaid.
    overdue = await claim([{ code: '99214', charge: 20000 }], { submittedAt: '2026-04-20T14:00:00Z', serviceDate: '2026-04-15' });
    recent = await claim([{ code: '99213', charge: 15000 }], { submittedAt: '2026-05-25T14:00:00Z', serviceDate: '2026-05-24', status: 'accepted' });
    slow = await claim([{ code: '99213', charge: 15000 }], { submittedAt: '2026-04-20T14:00:00Z', serviceDate: '2026-04-15', payer: 'slow' });
    answered = await claim([{ code: '99212', charge: 9000 }], { submittedAt: '2026-04-01T14:00:00Z', serviceDate: '2026-03-30' });
    await post(answered, { lines: [{ paid: 6000, cas: [['CO', '45', 3000]] }] });
    await t.runJob('claim-follow-up');
  });

  it('queues claims sent longer ago than the threshold without a remittance, with the timely-filing countdown', async () => {
    const items = (await t.call(listMissingEras, {}, admin())).items;
    expect(items.map((i) => i.claimId)).toEqual([overdue.id]);
    expect(items[0]).toMatchObject({
      patientControlNumber: overdue.pcn,
      claimStatus: 'submitted',
      submittedAt: '2026-04-20T14:00:00.000Z',
      daysSinceSubmission: 42,
      thresholdDays: 30,
      overdueSince: '2026-05-21',
      chargeCents: 20000,
      balanceCents: 20000,
      // 90 days from the date of service (the agreement's limit).
      timelyFiling: { deadline: '2026-07-14', daysLeft: 43, limitDays: 90, limitSource: 'agreement' },
      status: 'open',
    });
  });

  it('uses the per-payer threshold of the agreement', async () => {
    t.clock.set('2026-06-20T15:00:00Z');
    await t.runJob('claim-follow-up');
    const items = (await t.call(listMissingEras, {}, admin())).items;
    expect(items.map((i) => i.claimId)).toEqual([overdue.id, slow.id]);
    expect(items[1]).toMatchObject({ thresholdDays: 60, daysSinceSubmission: 61, timelyFiling: { limitDays: 180, limitSource: 'payer', deadline: '2026-10-12' } });
    expect((await t.call(listMissingEras, { payerId: ids[practiceId]!.slowPayerId }, admin())).items.map((i) => i.claimId)).toEqual([slow.id]);
  });

  it('assigns and notes an item; a remittance resolves it at the next run', async () => {
    const [item] = (await t.call(listMissingEras, {}, admin())).items;
    const biller = await staffMember('Kim Ortiz', 'mso');
    await expect(t.call(updateMissingEra, { id: item!.id, assignee: randomUUID() }, admin())).rejects.toMatchObject({ status: 422, errors: [expect.objectContaining({ path: '/assignee' })] });
    const updated = await t.call(updateMissingEra, { id: item!.id, assignee: biller, followUpOn: '2026-06-22', note: 'Payer portal shows no claim on file' }, admin());
    expect(updated).toMatchObject({ assignee: biller, assigneeName: 'Kim Ortiz', followUpOn: '2026-06-22', notes: [{ text: 'Payer portal shows no claim on file' }] });
    expect((await t.call(listMissingEras, { assignee: biller }, admin())).items.map((i) => i.id)).toEqual([item!.id]);

    await post(overdue, { lines: [{ paid: 12000, cas: [['CO', '45', 8000]] }] });
    await t.runJob('claim-follow-up');
    expect((await t.call(listMissingEras, {}, admin())).items.map((i) => i.claimId)).toEqual([slow.id]);
    expect((await t.call(listMissingEras, { status: 'resolved' }, admin())).items).toMatchObject([{ claimId: overdue.id, resolution: 'remittance-received', assignee: biller }]);
  });

  it('resolves an item whose claim was sent again, and queues the new submission only once it is overdue in turn', async () => {
    await db().update(claims).set({ lastSubmittedAt: new Date('2026-06-19T14:00:00Z'), submissionCount: 2 }).where(eq(claims.id, slow.id));
    await t.runJob('claim-follow-up');
    expect((await t.call(listMissingEras, {}, admin())).items).toEqual([]);
    expect((await t.call(listMissingEras, { status: 'resolved', payerId: ids[practiceId]!.slowPayerId }, admin())).items).toMatchObject([{ claimId: slow.id, resolution: 'resubmitted' }]);
  });

  it('counts down the filing deadline of every claim the payer has not adjudicated, nearest first', async () => {
    const draft = await claim([{ code: '99214', charge: 20000 }], { status: 'draft', serviceDate: '2026-03-25' });
    await t.runJob('claim-follow-up');
    const items = (await t.call(listTimelyFiling, { withinDays: 30 }, admin())).items;
    // 2026-03-25 + 90 days = 2026-06-23: three days left on 2026-06-20.
    expect(items[0]).toMatchObject({ claimId: draft.id, claimStatus: 'draft', deadline: '2026-06-23', daysLeft: 3, limitDays: 90, limitSource: 'agreement', serviceDate: '2026-03-25' });
    const deadlines = items.map((i) => i.deadline);
    expect(deadlines).toEqual([...deadlines].sort());
    expect(items.every((i) => i.daysLeft <= 30)).toBe(true);
    // Adjudicated claims have left the countdown.
    const all = (await t.call(listTimelyFiling, { limit: 200 }, admin())).items.map((i) => i.claimId);
    expect(all).toContain(recent.id);
    expect(all).not.toContain(overdue.id);
    expect(all).not.toContain(answered.id);

    const first = await t.call(listTimelyFiling, { limit: 1 }, admin());
    const second = await t.call(listTimelyFiling, { limit: 1, cursor: first.nextCursor! }, admin());
    expect([...first.items, ...second.items].map((i) => i.claimId)).toEqual(all.slice(0, 2));
  });
});

// ---- Reports -----------------------------------------------------------------------------------------

describe('reports', () => {
  let practice: string;

  beforeAll(async () => {
    t.clock.set('2026-06-01T15:00:00Z');
    practice = await t.practice({ timeZone: 'America/New_York' });
    await setUpPractice(practice);
    const as = { practice };
    // Four claims sent in the period; the payer accepted three of the three it answered on the first try.
    const paid = await claim([{ code: '99214', charge: 20000 }], { ...as, submittedAt: '2026-05-01T15:00:00Z', serviceDate: '2026-04-28', accepted: true });
    const partly = await claim([{ code: '99213', charge: 10000 }, { code: '97110', charge: 10000 }], { ...as, submittedAt: '2026-05-10T15:00:00Z', serviceDate: '2026-05-08', accepted: true });
    const denied = await claim([{ code: '99215', charge: 30000 }], { ...as, submittedAt: '2026-04-10T15:00:00Z', serviceDate: '2026-04-08', accepted: true });
    await claim([{ code: '99212', charge: 10000 }], { ...as, submittedAt: '2026-05-25T15:00:00Z', serviceDate: '2026-05-22', accepted: null });
    await claim([{ code: '99212', charge: 5000 }], { ...as, status: 'draft', serviceDate: '2026-05-30' });
    await post(paid, { paymentDate: '2026-05-20', lines: [{ paid: 12000, cas: [['CO', '45', 6000], ['PR', '2', 2000]] }] });
    await post(partly, { paymentDate: '2026-05-25', lines: [{ paid: 7000, cas: [['CO', '45', 3000]] }, { paid: 0, cas: [['CO', '50', 10000]], denied: true }] });
    await post(denied, { paymentDate: '2026-05-26', statusCode: '4', lines: [{ paid: 0, cas: [['CO', '50', 30000]], denied: true }] });
  });

  it('counts claims by status with their charges and open balances', async () => {
    const report = await t.call(claimsByStatusReport, {}, admin(practice));
    const byStatus = Object.fromEntries(report.items.map((i) => [i.status, i]));
    expect(byStatus.paid).toMatchObject({ claims: 1, chargeCents: 20000, balanceCents: 0 });
    expect(byStatus['partially-paid']).toMatchObject({ claims: 1, chargeCents: 20000 });
    expect(byStatus.denied).toMatchObject({ claims: 1, chargeCents: 30000 });
    expect(byStatus.submitted).toMatchObject({ claims: 1, chargeCents: 10000, balanceCents: 10000 });
    expect(byStatus.draft).toMatchObject({ claims: 1 });
    expect(report.items).toHaveLength(9);
  });

  it('measures days in AR, clean-claim rate, denial rate by CARC and net collection rate', async () => {
    const report = await t.call(revenueCycleReport, { from: '2026-04-01', to: '2026-05-31' }, admin(practice));
    expect(report).toMatchObject({ practiceId: practice, from: '2026-04-01', to: '2026-05-31' });
    // Open: only the unanswered claim (10000), charges sent in the period 80000 over 61 days.
    expect(report.daysInAr).toMatchObject({ arBalanceCents: 10000, chargesCents: 80000, periodDays: 61, days: 7.6 });
    expect(report.daysInAr.aging.find((a) => a.bucket === '0-30')).toMatchObject({ claims: 1, balanceCents: 10000 });
    expect(report.cleanClaimRate).toEqual({ acceptedOnFirstSubmission: 3, answered: 3, awaitingAnswer: 1, percent: 100 });
    expect(report.denialRate).toMatchObject({ adjudicatedClaims: 3, deniedClaims: 2, percent: 66.7, adjudicatedChargeCents: 70000, deniedCents: 40000, amountPercent: 57.1 });
    expect(report.denialRate.byReason).toMatchObject([{ group: 'CO', reason: '50', claims: 2, amountCents: 40000, percent: 66.7, known: true }]);
    // Paid 19000 of (charges 80000 − contractual 9000), dates of service in the period.
    expect(report.netCollectionRate).toEqual({ chargesCents: 80000, contractualAdjustmentCents: 9000, paidCents: 19000, percent: 26.8 });
  });

  it('defaults to the 90 days up to today and refuses a period that ends before it starts', async () => {
    expect(await t.call(revenueCycleReport, {}, admin(practice))).toMatchObject({ from: '2026-03-04', to: '2026-06-01' });
    await expect(t.call(revenueCycleReport, { from: '2026-05-02', to: '2026-05-01' }, admin(practice))).rejects.toMatchObject({ status: 400, errors: [{ path: '/from' }] });
  });

  it('reports every practice and their total to the MSO, and only to the MSO', async () => {
    const report = await t.call(revenueCycleByPracticeReport, { from: '2026-04-01', to: '2026-05-31' }, { role: 'mso-admin' });
    const mine = report.items.find((i) => i.practiceId === practice)!;
    expect(mine.denialRate.deniedClaims).toBe(2);
    expect(report.items.map((i) => i.practiceId)).toEqual(expect.arrayContaining([practiceId, otherPractice, practice]));
    const sum = (pick: (r: (typeof report.items)[number]) => number) => report.items.reduce((n, r) => n + pick(r), 0);
    expect(report.total).toMatchObject({
      practiceId: null,
      denialRate: { adjudicatedClaims: sum((r) => r.denialRate.adjudicatedClaims), deniedClaims: sum((r) => r.denialRate.deniedClaims) },
      netCollectionRate: { paidCents: sum((r) => r.netCollectionRate.paidCents) },
    });
    expect(report.total.claimsByStatus.reduce((n, s) => n + s.claims, 0)).toBe(sum((r) => r.claimsByStatus.reduce((n, s) => n + s.claims, 0)));
    await expect(t.call(revenueCycleByPracticeReport, {}, admin(practice))).rejects.toMatchObject({ status: 403 });
  });
});

