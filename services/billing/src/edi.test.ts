import { readFileSync } from 'node:fs';
import { eq, inArray, sql } from 'drizzle-orm';
import { X12Parser } from 'node-x12';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctClaim, getClaim, getJob, submitClaim, updateProvider, createBatches, createProvider, getBatch, getBatchFile, getClaimImport, getProvider, importAcknowledgment, importClaims, listBatches, updateCoverage } from '@mso/contracts/billing';
import { testService, type TestService } from '@mso/testing';
import { parse837P, write837P, type Claim837, type Write837Input } from '@mso/x12';
import { claimHistory, claimLines, claims, coverages, patients, payers, providers } from './db/schema.js';
import { billing } from './service.js';

let t: TestService;
let practiceId: string;
let otherPractice: string;
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const x12 = (text: string | Uint8Array) => ({ mediaType: 'application/edi-x12', bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text });
const sample = (name: string) => readFileSync(new URL(`../../../../shared/x12/${name}`, import.meta.url));
const db = () => t.database!.db;

const address = { line1: '100 MAIN ST', city: 'TAMPA', state: 'FL', postalCode: '33606' };
/** A clean professional claim; `n` makes its patient control number, member id and codes its own. */
function claim837(n: number, extra: Partial<Claim837> = {}): Claim837 {
  return {
    patientControlNumber: `EDI${String(n).padStart(6, '0')}`,
    chargeCents: 20_000,
    frequencyCode: '1',
    placeOfService: '11',
    diagnoses: [{ qualifier: 'ABK', code: 'E119' }, { qualifier: 'ABF', code: 'I10' }],
    billingProvider: { name: 'SUNRISE FAMILY MEDICINE', npi: '1234567893', taxId: '123456789', taxonomy: '207Q00000X', address },
    subscriber: { lastName: 'DOE', firstName: `JANE${n}`, memberId: `M${n}`, relationship: '18', dateOfBirth: '1980-02-03', gender: 'F', address, groupNumber: 'G77' },
    payer: { name: 'AETNA', id: '60054' },
    renderingProvider: { lastName: 'WELBY', firstName: 'MARCUS', npi: '1245319599', taxonomy: '207Q00000X' },
    claimFilingIndicator: 'CI',
    lines: [
      { procedure: { qualifier: 'HC', code: '99213', modifiers: ['25'] }, chargeCents: 12_500, units: 1, unitType: 'UN', diagnosisPointers: [1, 2], serviceDate: '2026-05-01' },
      { procedure: { qualifier: 'HC', code: '81002', modifiers: [] }, chargeCents: 7_500, units: 1, unitType: 'UN', diagnosisPointers: [1], serviceDate: '2026-05-01' },
    ],
    ...extra,
  };
}
function file837(claimList: Claim837[], control = 1, options: Partial<Write837Input> = {}): string {
  return write837P({
    submitter: { name: 'EHR', id: 'EHR01' },
    receiver: { name: 'MSO', id: 'MSO01' },
    interchange: { senderId: 'EHR01', receiverId: 'MSO01', controlNumber: control, usage: 'P', date: '2026-05-02' },
    claims: claimList,
    ...options,
  });
}

const claimRows = (ids: string[]) => db().select().from(claims).where(inArray(claims.id, ids));
const count = async (table: typeof claims | typeof patients | typeof coverages | typeof payers | typeof providers, practice = practiceId) =>
  (await db().select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table).where(eq(table.practiceId, practice)))[0]!.n;

/** Puts claims where a submission leaves them: submitted, sent once, waiting for a batch. */
async function markSubmitted(ids: string[]) {
  await db().update(claims).set({ status: 'submitted', submissionCount: 1, firstSubmittedAt: t.clock.now(), lastSubmittedAt: t.clock.now() }).where(inArray(claims.id, ids));
}

beforeAll(async () => {
  t = await testService(billing, { clock: '2026-05-22T15:00:00Z' });
  practiceId = await t.practice();
  otherPractice = await t.practice();
});
afterAll(() => t.close());

describe('providers for the 837P', () => {
  it('keep the billing address (2010AA) and the tax id (REF*EI)', async () => {
    const created = await t.call(createProvider, { kind: 'billing', npi: '1999999992', taxonomyCode: '207Q00000X', name: 'BAYSHORE CLINIC', address, taxId: '591234567' }, { practiceId: otherPractice, role: 'practice-admin' });
    expect(created).toMatchObject({ address, taxId: '591234567' });
    const changed = await t.call(updateProvider, { id: created.id, address: { ...address, line1: '200 BAY ST' }, taxId: null }, { practiceId: otherPractice, role: 'practice-admin' });
    expect(changed).toMatchObject({ address: { line1: '200 BAY ST' }, taxId: null });
    await expect(t.call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'X', taxId: '59-1234567' }, admin())).rejects.toMatchObject({ status: 400 });
  });
});

describe('claim imports', () => {
  it('imports the UHIN sample to its totals, creates its parties, and answers the same file again with the first import', async () => {
    const bytes = sample('UHIN__x12-parser-library__837.edi');
    const first = await t.callForReply(importClaims, {}, { ...admin(), body: x12(bytes) });
    expect(first.status).toBe(201);
    expect(first.output).toMatchObject({ claimCount: 1, totalChargeCents: 200, claims: [{ patientControlNumber: '1606', chargeCents: 200, serviceLineCount: 1 }] });
    const [row] = await claimRows([first.output.claims[0]!.id]);
    expect(row).toMatchObject({ status: first.output.claims[0]!.status, importId: first.output.id, serviceDateFrom: '2024-08-15', serviceDateTo: '2024-08-20', chargeCents: 200 });
    expect(['ready', 'draft']).toContain(row!.status);
    const [billingProvider] = await db().select().from(providers).where(eq(providers.id, row!.billingProviderId));
    expect(billingProvider).toMatchObject({ kind: 'billing', npi: '1245319599', taxId: '123456789', taxonomyCode: '111N00000X', address: { line1: '70623 FREDERIK CLIFF APT 492', postalCode: '841061149' } });
    const [coverage] = await db().select().from(coverages).where(eq(coverages.id, row!.coverageId!));
    expect(coverage).toMatchObject({ memberId: '601239742', relationship: 'self', groupNumber: '55555', order: 'primary' });
    const [payer] = await db().select().from(payers).where(eq(payers.id, row!.payerId));
    expect(payer).toMatchObject({ ediPayerId: 'FLHIN', name: 'FLORIDA DIRECT UHIN PAYER', claimFilingIndicatorCode: 'CI' });
    const history = await db().select().from(claimHistory).where(eq(claimHistory.claimId, row!.id));
    expect(history).toMatchObject([{ action: 'created', fromStatus: null, toStatus: row!.status }]);

    const claimsBefore = await count(claims);
    const again = await t.callForReply(importClaims, {}, { ...admin(), body: x12(bytes) });
    expect(again.status).toBe(200);
    expect(again.output).toEqual(first.output);
    expect(await count(claims)).toBe(claimsBefore);
    expect(await t.call(getClaimImport, { id: first.output.id }, admin())).toEqual(first.output);
    await expect(t.call(getClaimImport, { id: first.output.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
  });

  it('imports the DME sample to its totals; its billing NPI fails the check digit, so the claim waits as draft with a finding on the NPI', async () => {
    const { output } = await t.callForReply(importClaims, {}, { ...admin(), body: x12(sample('LinuxForHealth__x12__demo.example7.837')) });
    expect(output).toMatchObject({ claimCount: 1, totalChargeCents: 52_024, claims: [{ patientControlNumber: 'R03996273 #01', chargeCents: 52_024, serviceLineCount: 2, status: 'draft' }] });
    // Segments the reader does not map are reported, not dropped silently.
    expect(output.warnings.map((w) => w.segmentId)).toContain('PWK');
    const [row] = await claimRows([output.claims[0]!.id]);
    expect(row!.findings.some((f) => f.severity === 'error' && /npi/i.test(`${f.code} ${f.field}`) && /billingProvider/i.test(f.field + f.message))).toBe(true);
    const lines = await db().select().from(claimLines).where(eq(claimLines.claimId, row!.id));
    expect(lines.map((l) => [l.procedureCode, l.modifiers, l.chargeCents]).sort()).toEqual([['E0431', ['RR'], 5_914], ['E1390', ['RR'], 46_110]]);
    expect(row!.diagnoses).toEqual([{ qualifier: 'BK', code: '496' }, { qualifier: 'BF', code: '51881' }, { qualifier: 'BF', code: '2859' }]);
  });

  it('matches the patient, coverage, payer and providers it knows, and creates what it does not', async () => {
    const before = { patients: await count(patients), coverages: await count(coverages), payers: await count(payers), providers: await count(providers) };
    const first = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(1), claim837(2)])) });
    expect(first).toMatchObject({ claimCount: 2, totalChargeCents: 40_000 });
    expect(await count(patients)).toBe(before.patients + 2);
    expect(await count(payers)).toBe(before.payers + 1);
    expect(await count(providers)).toBe(before.providers + 2); // one billing, one rendering
    // A later file for the same patient (member id + payer) and a dependent on the same member id.
    const dependent = claim837(4, {
      subscriber: { ...claim837(1).subscriber, relationship: '' },
      patient: { lastName: 'DOE', firstName: 'JUNIOR', relationship: '19', dateOfBirth: '2015-06-01', gender: 'M', address },
    });
    const second = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(3, { subscriber: claim837(1).subscriber }), dependent], 2)) });
    const [again, child] = await claimRows(second.claims.map((c) => c.id)).then((rows) => second.claims.map((c) => rows.find((r) => r.id === c.id)!));
    const [firstRow] = await claimRows([first.claims[0]!.id]);
    expect(again!.patientId).toBe(firstRow!.patientId);
    expect(again!.coverageId).toBe(firstRow!.coverageId);
    expect(again!.billingProviderId).toBe(firstRow!.billingProviderId);
    expect(child!.patientId).not.toBe(firstRow!.patientId);
    const [childCoverage] = await db().select().from(coverages).where(eq(coverages.id, child!.coverageId!));
    expect(childCoverage).toMatchObject({ memberId: 'M1', relationship: 'child', subscriber: { firstName: 'JANE1', lastName: 'DOE' } });
    expect(await count(patients)).toBe(before.patients + 3);
    expect(await count(payers)).toBe(before.payers + 1);
    expect(await count(providers)).toBe(before.providers + 2);
  });

  it("starts a coverage it creates at the patient's earliest date of service in the file, and moves an imported coverage's start back when a later file shows earlier visits", async () => {
    const on = (n: number, day: string) => {
      const c = claim837(n, { subscriber: claim837(95).subscriber });
      return { ...c, lines: c.lines.map((l) => ({ ...l, serviceDate: day })) };
    };
    // The later visit comes first in the file.
    const first = await t.call(importClaims, {}, { ...admin(), body: x12(file837([on(95, '2026-05-10'), on(96, '2026-05-03')], 20)) });
    expect(first.claims.map((c) => c.status)).toEqual(['ready', 'ready']);
    const [row] = await claimRows([first.claims[0]!.id]);
    const coverage = async () => (await db().select().from(coverages).where(eq(coverages.id, row!.coverageId!)))[0]!;
    expect(await coverage()).toMatchObject({ effectiveFrom: '2026-05-03', importId: first.id });
    // A late-entered visit before it in the next file: the coverage the import guessed starts earlier.
    const second = await t.call(importClaims, {}, { ...admin(), body: x12(file837([on(97, '2026-04-20')], 21)) });
    expect(second.claims.map((c) => c.status)).toEqual(['ready']);
    expect((await coverage()).effectiveFrom).toBe('2026-04-20');
    // Once a person has edited the coverage its dates are theirs: an earlier visit waits as draft.
    await t.call(updateCoverage, { id: row!.coverageId!, groupNumber: 'G78' }, admin());
    const third = await t.call(importClaims, {}, { ...admin(), body: x12(file837([on(98, '2026-04-10')], 22)) });
    expect(third.claims.map((c) => c.status)).toEqual(['draft']);
    expect((await claimRows([third.claims[0]!.id]))[0]!.findings.map((f) => f.code)).toContain('coverage-not-in-effect');
    expect(await coverage()).toMatchObject({ effectiveFrom: '2026-04-20', importId: null });
  });

  it('skips a claim whose patient control number the practice has already, with a warning naming CLM01', async () => {
    const out = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(1), claim837(5)], 3)) });
    expect(out.claims.map((c) => c.patientControlNumber)).toEqual(['EDI000005']);
    expect(out.warnings).toContainEqual(expect.objectContaining({ code: 'duplicate-patient-control-number', segmentId: 'CLM', elementIndex: 1, message: expect.stringContaining("CLM01 'EDI000001'") }));
  });

  it('refuses a malformed file with 422 naming the segment, and imports nothing of it', async () => {
    const claimsBefore = await count(claims);
    const patientsBefore = await count(patients);
    const broken = file837([claim837(10), claim837(11)], 4).replace('CLM*EDI000011*200*', 'CLM*EDI000011*2X0*');
    const problem = await t.call(importClaims, {}, { ...admin(), body: x12(broken) }).catch((e: unknown) => e);
    expect(problem).toMatchObject({ status: 422, code: 'unprocessable' });
    expect((problem as Error).message).toMatch(/segment \d+ \(CLM\), element 2/);
    // A file the reader accepts but whose patient has no date of birth: refused whole too.
    const noDob = file837([claim837(12), claim837(13, { subscriber: { ...claim837(13).subscriber, dateOfBirth: undefined as never, gender: undefined as never } })], 5);
    await expect(t.call(importClaims, {}, { ...admin(), body: x12(noDob) })).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/CLM at segment \d+ \(CLM01 'EDI000013'\).*date of birth/) });
    await expect(t.call(importClaims, {}, { ...admin(), body: x12('not an x12 file') })).rejects.toMatchObject({ status: 422 });
    expect(await count(claims)).toBe(claimsBefore);
    expect(await count(patients)).toBe(patientsBefore);
  });

  it('runs a file over 512 KiB as a job with progress, and imports every claim of it', async () => {
    const many = Array.from({ length: 2_000 }, (_, i) => claim837(100_000 + i, { subscriber: { ...claim837(100_000 + (i % 500)).subscriber } }));
    const bytes = new TextEncoder().encode(file837(many, 13));
    expect(bytes.byteLength).toBeGreaterThan(512 * 1024);
    const accepted = await t.callForReply(importClaims, {}, { ...admin(), body: x12(bytes), timeoutMs: 60_000 });
    expect(accepted.status).toBe(202);
    let job = accepted.output as unknown as { id: string; status: string; progress: { done: number; total: number }; result?: { claimCount: number; totalChargeCents: number } };
    while (job.status !== 'succeeded' && job.status !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (await t.call(getJob, { id: job.id }, { ...admin(), timeoutMs: 60_000 })) as never;
    }
    expect(job).toMatchObject({ status: 'succeeded', progress: { done: 2_000, total: 2_000 }, result: { claimCount: 2_000, totalChargeCents: 2_000 * 20_000 } });
    const imported = await db().select({ n: sql<number>`count(*)`.mapWith(Number) }).from(claims).where(sql`${claims.patientControlNumber} like 'EDI1%' and length(${claims.patientControlNumber}) = 9`);
    expect(imported[0]!.n).toBe(2_000);
    // 500 patients: claims of one member id share the patient and the coverage.
    const distinct = await db().select({ n: sql<number>`count(distinct ${claims.patientId})`.mapWith(Number) }).from(claims).where(sql`${claims.patientControlNumber} like 'EDI1%' and length(${claims.patientControlNumber}) = 9`);
    expect(distinct[0]!.n).toBe(500);
  }, 120_000);

  it('lets practice users read imports but not import', async () => {
    await expect(t.call(importClaims, {}, { practiceId, role: 'practice-user', body: x12(file837([claim837(20)], 6)) })).rejects.toMatchObject({ status: 403 });
  });
});

describe('batches', () => {
  let batchIds: { aetna: string; other: string };
  let imported: string[];

  it('writes one 837P per payer with the submitted claims not yet sent; node-x12 strict reads it and parse837P gives the claims back', async () => {
    const cigna = claim837(31, { payer: { name: 'CIGNA', id: '62308' } });
    const out = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(30), cigna, claim837(32)], 7)) });
    imported = out.claims.map((c) => c.id);
    await markSubmitted(imported);
    const made = await t.callForReply(createBatches, {}, admin());
    expect(made.status).toBe(201);
    const batches = made.output.batches;
    expect(batches.map((b) => b.claimCount).sort()).toEqual([1, 2]);
    const aetna = batches.find((b) => b.claimCount === 2)!;
    batchIds = { aetna: aetna.id, other: batches.find((b) => b.claimCount === 1)!.id };
    expect(aetna).toMatchObject({ totalChargeCents: 40_000, transactionCount: 1, usage: 'P' });
    expect(batches[1]!.controlNumber).toBe(batches[0]!.controlNumber + 1);

    const file = await t.call(getBatchFile, { id: aetna.id }, admin());
    expect(file.mediaType).toBe('application/edi-x12');
    const text = new TextDecoder().decode(file.bytes);
    const parser = new X12Parser(true);
    parser.parse(text);
    expect(parser.diagnostics).toEqual([]);
    expect(text).toContain(`ISA*00*          *00*          *ZZ*1234567893     *ZZ*60054          *`);
    const back = parse837P(file.bytes);
    expect(back.warnings).toEqual([]);
    expect(back.claims.map((c) => c.patientControlNumber).sort()).toEqual(['EDI000030', 'EDI000032']);
    const c30 = back.claims.find((c) => c.patientControlNumber === 'EDI000030')!;
    const sent = claim837(30);
    expect(c30).toMatchObject({
      chargeCents: 20_000,
      diagnoses: sent.diagnoses,
      billingProvider: { npi: '1234567893', taxId: '123456789', taxonomy: '207Q00000X', address },
      subscriber: { memberId: 'M30', firstName: 'JANE30', lastName: 'DOE', dateOfBirth: '1980-02-03', groupNumber: 'G77', relationship: '18' },
      payer: { id: '60054', name: 'AETNA' },
      renderingProvider: { npi: '1245319599', lastName: 'WELBY', firstName: 'MARCUS' },
      claimFilingIndicator: 'CI',
    });
    expect(c30.lines.map((l) => [l.procedure.code, l.procedure.modifiers, l.chargeCents, l.diagnosisPointers, l.serviceDate, l.lineControlNumber])).toEqual([
      ['99213', ['25'], 12_500, [1, 2], '2026-05-01', 'EDI000030-1'],
      ['81002', [], 7_500, [1], '2026-05-01', 'EDI000030-2'],
    ]);

    const rows = await claimRows(imported);
    expect(rows.every((r) => r.batchId !== null && r.status === 'submitted')).toBe(true);
    // Nothing waits any more.
    const again = await t.callForReply(createBatches, {}, admin());
    expect(again).toEqual({ status: 200, output: { batches: [] } });
  });

  it('writes back what an imported claim carried (the DME sample: ICD-9, line dates, date ranges)', async () => {
    const imp = await t.call(importClaims, {}, { ...admin(), body: x12(sample('LinuxForHealth__x12__demo.example7.837').toString().replace('R03996273 #01', 'R03996273 #02')) });
    const id = imp.claims[0]!.id;
    // The biller fixes the billing provider's NPI, then it is submitted.
    const [row] = await claimRows([id]);
    await db().update(providers).set({ npi: '1999999992' }).where(eq(providers.id, row!.billingProviderId));
    await markSubmitted([id]);
    const { batches } = await t.call(createBatches, { payerId: row!.payerId }, admin());
    const back = parse837P((await t.call(getBatchFile, { id: batches[0]!.id }, admin())).bytes);
    const original = parse837P(sample('LinuxForHealth__x12__demo.example7.837')).claims[0]!;
    expect(back.claims[0]).toMatchObject({
      patientControlNumber: 'R03996273 #02',
      chargeCents: original.chargeCents,
      diagnoses: original.diagnoses,
      claimFilingIndicator: 'MB',
      billingProvider: { ...original.billingProvider, npi: '1999999992' },
      subscriber: original.subscriber,
      lines: original.lines.map((l, i) => ({ ...l, lineControlNumber: `R03996273 #02-${i + 1}` })),
    });
  });

  it('lists and shows batches; another practice sees none of them', async () => {
    const page = await t.call(listBatches, {}, admin());
    expect(page.items.map((b) => b.id)).toEqual(expect.arrayContaining([batchIds.aetna, batchIds.other]));
    const batch = await t.call(getBatch, { id: batchIds.aetna }, admin());
    expect(batch.claims.map((c) => [c.patientControlNumber, c.transactionControlNumber])).toEqual([
      ['EDI000030', '0001'],
      ['EDI000032', '0001'],
    ]);
    const theirs = { practiceId: otherPractice, role: 'practice-admin' as const };
    await expect(t.call(getBatch, { id: batchIds.aetna }, theirs)).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getBatchFile, { id: batchIds.aetna }, theirs)).rejects.toMatchObject({ status: 404 });
    expect((await t.call(listBatches, {}, theirs)).items).toEqual([]);
  });

  it("writes the submitter and receiver of the practice's EDI terms", async () => {
    const withTerms = await t.practice({
      terms: { billing: { edi: { submitterName: 'SUNRISE BILLING', submitterId: 'S12345', receiverName: 'CLEARINGHOUSE', receiverId: 'CH999', usage: 'T', contactPhone: '8135550100' } } },
    });
    const as = { practiceId: withTerms, role: 'practice-admin' as const };
    const out = await t.call(importClaims, {}, { ...as, body: x12(file837([claim837(80)], 14)) });
    await markSubmitted([out.claims[0]!.id]);
    const [batch] = (await t.call(createBatches, {}, as)).batches;
    expect(batch).toMatchObject({ usage: 'T', controlNumber: 1 });
    const text = new TextDecoder().decode((await t.call(getBatchFile, { id: batch!.id }, as)).bytes);
    expect(text).toContain('*ZZ*S12345         *ZZ*CH999          *');
    expect(text).toContain('NM1*41*2*SUNRISE BILLING*****46*S12345~PER*IC*SUNRISE BILLING*TE*8135550100~NM1*40*2*CLEARINGHOUSE*****46*CH999~');
    expect(text).toMatch(/\*0\*T\*:~/);
  });

  it('refuses a batch whose billing provider has no address, naming the claim', async () => {
    const provider = await t.call(createProvider, { kind: 'billing', npi: '1245319599', taxonomyCode: '207Q00000X', name: 'NO ADDRESS CLINIC' }, { practiceId: otherPractice, role: 'practice-admin' });
    expect(await t.call(getProvider, { id: provider.id }, { practiceId: otherPractice, role: 'practice-admin' })).toMatchObject({ address: null, taxId: null });
    const [imp] = await Promise.all([t.call(importClaims, {}, { practiceId: otherPractice, role: 'practice-admin', body: x12(file837([claim837(40, { billingProvider: { ...claim837(40).billingProvider, npi: '1245319599', address: { line1: 'x', city: 'y', state: 'FL', postalCode: '33606' } } })], 8)) })]);
    // The import fills the missing address; take it away again to see the refusal.
    await db().update(providers).set({ address: null }).where(eq(providers.id, provider.id));
    await markSubmitted([imp!.claims[0]!.id]);
    await expect(t.call(createBatches, {}, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('EDI000040'),
      errors: [{ path: '/claims/0/billingProviderId' }],
    });
  });
});

describe('acknowledgments', () => {
  const envelope = (type: '999' | '277', body: string[], control = 900) => {
    const isa = `ISA*00*          *00*          *ZZ*60054          *ZZ*1234567893     *260523*1200*^*00501*${String(control).padStart(9, '0')}*0*P*:`;
    const segs = [isa, `GS*${type === '999' ? 'FA' : 'HN'}*60054*1234567893*20260523*1200*${control}*X*${type === '999' ? '005010X231A1' : '005010X214'}`, `ST*${type}*0001*${type === '999' ? '005010X231A1' : '005010X214'}`, ...body];
    segs.push(`SE*${body.length + 2}*0001`, `GE*1*${control}`, `IEA*1*${String(control).padStart(9, '0')}`);
    return segs.join('~') + '~';
  };
  const a277 = (statuses: { pcn: string; category: string; code: string; payerNumber?: string }[], control: number) =>
    envelope(
      '277',
      [
        'BHT*0085*08*277X*20260523*1200*TH',
        'HL*1**20*1',
        'NM1*PR*2*AETNA*****PI*60054',
        'TRN*1*T1',
        'DTP*050*D8*20260523',
        'DTP*009*D8*20260523',
        'HL*2*1*21*1',
        'NM1*41*2*SUNRISE*****46*1234567893',
        'TRN*2*R1',
        'STC*A1:19:PR*20260523*WQ*200',
        'QTY*90*1',
        'AMT*YU*200',
        'HL*3*2*19*1',
        'NM1*85*2*SUNRISE FAMILY MEDICINE*****XX*1234567893',
        ...statuses.flatMap((s, i) => [
          `HL*${4 + i}*3*PT`,
          `NM1*QC*1*DOE*JANE****MI*M${i}`,
          `TRN*2*${s.pcn}`,
          `STC*${s.category}:${s.code}*20260523*${s.category === 'A2' ? 'WQ' : 'U'}*200`,
          ...(s.payerNumber ? [`REF*1K*${s.payerNumber}`] : []),
          'DTP*472*D8*20260501',
        ]),
      ],
      control,
    );

  it('moves claims with a 277CA: accepted (with the payer claim number), rejected with its codes; the same file again changes nothing', async () => {
    const out = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(50), claim837(51)], 9)) });
    const ids = out.claims.map((c) => c.id);
    await markSubmitted(ids);
    await t.call(createBatches, {}, admin());
    const file = a277(
      [
        { pcn: 'EDI000050', category: 'A2', code: '20', payerNumber: 'PAYER-50' },
        { pcn: 'EDI000051', category: 'A7', code: '562' },
        { pcn: 'NOPE', category: 'A2', code: '20' },
      ],
      901,
    );
    const first = await t.callForReply(importAcknowledgment, {}, { ...admin(), body: x12(file) });
    expect(first.status).toBe(201);
    expect(first.output).toMatchObject({
      kind: '277CA',
      moved: [
        { claimId: ids[0], from: 'submitted', to: 'accepted' },
        { claimId: ids[1], from: 'submitted', to: 'rejected', codes: ['A7:562'] },
      ],
      unmatched: [{ reference: 'TRN02 NOPE' }],
    });
    const [accepted, rejected] = await claimRows(ids).then((rows) => ids.map((id) => rows.find((r) => r.id === id)!));
    expect(accepted).toMatchObject({ status: 'accepted', payerClaimControlNumber: 'PAYER-50', acceptedOnFirstSubmission: true, rejection: null });
    expect(rejected).toMatchObject({ status: 'rejected', acceptedOnFirstSubmission: false, rejection: { source: '277CA', codes: ['A7:562'] } });
    const history = await db().select().from(claimHistory).where(eq(claimHistory.claimId, rejected!.id));
    expect(history.at(-1)).toMatchObject({ action: 'rejected', fromStatus: 'submitted', toStatus: 'rejected' });

    const again = await t.callForReply(importAcknowledgment, {}, { ...admin(), body: x12(file) });
    expect(again).toEqual({ status: 200, output: first.output });
    expect((await db().select().from(claimHistory).where(eq(claimHistory.claimId, rejected!.id))).length).toBe(history.length);
  });

  it("rejects a 999's rejected transaction set: every claim of it, with the codes and the segment it points at", async () => {
    const out = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(60), claim837(61)], 10)) });
    const ids = out.claims.map((c) => c.id);
    await markSubmitted(ids);
    const [batch] = (await t.call(createBatches, {}, admin())).batches;
    const file = envelope(
      '999',
      [`AK1*HC*${batch!.controlNumber}*005010X222A1`, 'AK2*837*0001*005010X222A1', 'IK3*NM1*14*2010BA*8', 'CTX*CLM01:EDI000061', 'IK4*9*67*7*XYZ', 'IK5*R*5', 'AK9*R*1*1*0'],
      902,
    );
    const result = await t.call(importAcknowledgment, {}, { ...admin(), body: x12(file) });
    expect(result.kind).toBe('999');
    expect(result.moved.map((m) => [m.claimId, m.to]).sort()).toEqual(ids.map((id) => [id, 'rejected']).sort());
    const rows = await claimRows(ids);
    const named = rows.find((r) => r.patientControlNumber === 'EDI000061')!;
    expect(named.rejection).toMatchObject({ source: '999', codes: ['IK5:R', 'IK5:5', 'IK3:8', 'IK4:7'], segment: { id: 'NM1', position: 14, element: 9 } });
    expect(rows.every((r) => r.status === 'rejected')).toBe(true);

    // An accepted set moves nothing: the claims wait for the payer's 277CA.
    const more = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(62)], 11)) });
    await markSubmitted([more.claims[0]!.id]);
    const [next] = (await t.call(createBatches, {}, admin())).batches;
    const ok = await t.call(importAcknowledgment, {}, { ...admin(), body: x12(envelope('999', [`AK1*HC*${next!.controlNumber}*005010X222A1`, 'AK2*837*0001*005010X222A1', 'IK5*A', 'AK9*A*1*1*1'], 903)) });
    expect(ok).toMatchObject({ moved: [], unchanged: [{ claimId: more.claims[0]!.id, status: 'submitted' }] });
    const unknown = await t.call(importAcknowledgment, {}, { ...admin(), body: x12(envelope('999', ['AK1*HC*987654*005010X222A1', 'AK2*837*0001*005010X222A1', 'IK5*R*5', 'AK9*R*1*1*0'], 904)) });
    expect(unknown).toMatchObject({ moved: [], unmatched: [{ reference: 'AK102 987654 / AK202 0001' }] });
  });

  it('takes a claim from import through submission, a batch and a 277CA rejection to a corrected claim (frequency 7, REF*F8) in the next batch', async () => {
    const out = await t.call(importClaims, {}, { ...admin(), body: x12(file837([claim837(90)], 15)) });
    const id = out.claims[0]!.id;
    expect(out.claims[0]!.status).toBe('ready');
    await t.call(submitClaim, { id }, admin());
    const [first] = (await t.call(createBatches, {}, admin())).batches;
    expect((await t.call(getBatch, { id: first!.id }, admin())).claims.map((c) => c.claimId)).toEqual([id]);
    t.clock.advance(60_000);
    await t.call(importAcknowledgment, {}, { ...admin(), body: x12(a277([{ pcn: 'EDI000090', category: 'A7', code: '21', payerNumber: 'ICN-90' }], 906)) });
    expect(await t.call(getClaim, { id }, admin())).toMatchObject({ status: 'rejected', payerClaimControlNumber: 'ICN-90', rejection: { source: '277CA', codes: ['A7:21'] } });
    t.clock.advance(60_000);
    await t.call(correctClaim, { id }, admin());
    await t.call(submitClaim, { id }, admin());
    t.clock.advance(60_000);
    const [second] = (await t.call(createBatches, {}, admin())).batches;
    expect(second!.controlNumber).toBeGreaterThan(first!.controlNumber);
    const [resent] = parse837P((await t.call(getBatchFile, { id: second!.id }, admin())).bytes).claims;
    expect(resent).toMatchObject({ patientControlNumber: 'EDI000090', frequencyCode: '7', payerClaimControlNumber: 'ICN-90' });
    const history = (await t.call(getClaim, { id }, admin())).history.map((h) => h.action);
    expect(history).toEqual(expect.arrayContaining(['created', 'submitted', 'batched', 'rejected']));
  });

  it('refuses a malformed acknowledgment with 422 naming the segment', async () => {
    await expect(t.call(importAcknowledgment, {}, { ...admin(), body: x12(file837([claim837(70)], 12)) })).rejects.toMatchObject({ status: 422, message: expect.stringContaining('ST01') });
    const broken = envelope('999', ['AK1*HC*1*005010X222A1', 'AK2*837*0001*005010X222A1', 'IK5', 'AK9*R*1*1*0'], 905);
    await expect(t.call(importAcknowledgment, {}, { ...admin(), body: x12(broken) })).rejects.toMatchObject({ status: 422, message: expect.stringMatching(/segment \d+ \(IK5\)/) });
  });
});
