import { fileURLToPath } from 'node:url';
import { X12Parser } from 'node-x12';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Empty, operation, type ServiceId } from '@mso/contracts';
import { billingEvents } from '@mso/contracts/billing';
import { consume, defineService, handle, type ConsumerContext } from '@mso/kit';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { parse837P, tokenize, type Claim835 } from '@mso/x12';
import { envelope, generate837P, generateRemittance835, joinSegments, type GeneratedRemittance } from '@mso/x12/testing';
import { billing } from './service.js';

// The revenue cycle through the gateway, on the running NATS and PostgreSQL: an EHR's 837P imported,
// submitted and batched, acknowledged by a 999 and a 277CA, paid by 835s, and every event received
// by a service of its own (a probe standing in for a consumer, recording what it got) exactly once in effect.

/** Not a service of the platform: its own id (collections is a real service now) and one operation of its own. */
const probeId = 'collections-probe' as ServiceId;
const ping = operation({ service: probeId, name: 'ping', summary: 'Answers (test)', roles: ['mso-admin'], input: Empty, output: Empty });

/** Records every billing event it is handed; `times` counts the handler's runs per event id. */
const probe = defineService({
  id: probeId,
  version: '0.0.1',
  description: 'records billing events (test)',
  db: { schema: 'collections_e2e', migrationsFolder: fileURLToPath(new URL('../test/collections-migrations', import.meta.url)) },
  // Only its consumers matter here.
  operations: [ping],
  handlers: [handle(ping, async () => ({}))],
  consumers: billingEvents.map((event) =>
    consume(event, async (e, ctx: ConsumerContext) => {
      await ctx.db.execute(
        sql`insert into collections_e2e.received (event_id, type, subject, data, times) values (${e.id}, ${e.type}, ${e.subject ?? null}, ${JSON.stringify(e.data)}::jsonb, 1)
            on conflict (event_id) do update set times = collections_e2e.received.times + 1`,
      );
    }),
  ),
});

let p: TestPlatform;
let practice: { id: string; key: string };
let other: { id: string; key: string };
let helpdeskOnly: { id: string; key: string };

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', billing, probe], transport: 'real' });
  p.clock.set('2026-05-22T15:00:00Z');
  practice = await p.createPractice({ services: ['billing', 'collections'], terms: { billing: { timelyFilingDays: 365 } } });
  other = await p.createPractice({ services: ['billing'] });
  helpdeskOnly = await p.createPractice({ services: ['helpdesk'] });
}, 120_000);
afterAll(() => p?.close());

const as =
  (key: string) =>
  (method: string, url: string, body?: unknown): Promise<TestResponse> =>
    p.request({ method, url, key, ...(body !== undefined ? { body } : {}), ...(method === 'POST' ? { headers: { 'idempotency-key': crypto.randomUUID() } } : {}) });

/** A raw X12 body through the gateway. */
async function x12(key: string, url: string, text: string): Promise<TestResponse> {
  const res = await p.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/edi-x12', 'idempotency-key': crypto.randomUUID() }, payload: text });
  let json: unknown = res.body;
  try {
    json = JSON.parse(res.body);
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, json, headers: res.headers };
}

const rows = async <T>(query: ReturnType<typeof sql>) => (await p.runtime.database!.db.execute(query)) as unknown as T[];
/** Billing's own events in its outbox (the outbox also carries the PHI audit's records). */
const domainEvents = sql.raw(`envelope->>'type' in (${billingEvents.map((e) => `'${e.type}'`).join(', ')})`);

// An EHR's file: eight claims of four patients, dates of service in the last month.
const ehr = generate837P({ claims: 8, seed: 21, patients: 4, pcnPrefix: 'E2E', serviceDateFrom: '2026-04-20', serviceDays: 14 });
const pcns = ehr.claims.map((c) => c.patientControlNumber);
/** The claim the 277CA rejects and the biller corrects; the others go on to the payer's 835s. */
const rejectedPcn = pcns[7]!;

const claimIds = new Map<string, string>();
const call = () => as(practice.key);
const claimOf = async (pcn: string) => {
  const res = await call()('GET', `/v1/billing/claims/${claimIds.get(pcn)}`);
  expect(res.status).toBe(200);
  return res.json;
};

describe('the revenue cycle through the gateway', () => {
  let batchId: string;
  let era1: GeneratedRemittance;
  let era2: GeneratedRemittance;
  let era1Id: string;
  let era2Id: string;

  it('imports an 837P once: claims ready, the same file again answers 200 and creates nothing, a malformed one imports nothing', async () => {
    const res = await x12(practice.key, '/v1/billing/claim-imports', ehr.text);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({ claimCount: 8, totalChargeCents: ehr.totalChargeCents });
    for (const c of res.json.claims) claimIds.set(c.patientControlNumber, c.id);
    expect([...claimIds.keys()].sort()).toEqual([...pcns].sort());
    expect(res.json.claims.map((c: { status: string }) => c.status)).toEqual(Array(8).fill('ready'));
    const again = await x12(practice.key, '/v1/billing/claim-imports', ehr.text);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(res.json.id);
    const broken = await x12(practice.key, '/v1/billing/claim-imports', generate837P({ claims: 2, seed: 22, pcnPrefix: 'BAD' }).text.replace(/~CLM\*BAD0000002\*[^~]*~/, '~CLM*BAD0000002~'));
    expect(broken.status).toBe(422);
    expect(JSON.stringify(broken.json)).toContain('CLM');
    const listed = await call()('GET', '/v1/billing/claims?limit=200');
    expect(listed.json.items).toHaveLength(8);
  });

  it('submits every claim and batches them into one 837P that node-x12 reads in strict mode', async () => {
    for (const pcn of pcns) {
      const res = await call()('POST', `/v1/billing/claims/${claimIds.get(pcn)}/submit`, {});
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(res.json).toMatchObject({ status: 'submitted', submissionCount: 1, frequencyCode: '1' });
    }
    const batched = await call()('POST', '/v1/billing/batches', {});
    expect(batched.status, JSON.stringify(batched.json)).toBe(201);
    expect(batched.json.batches).toHaveLength(1);
    expect(batched.json.batches[0]).toMatchObject({ claimCount: 8, totalChargeCents: ehr.totalChargeCents });
    batchId = batched.json.batches[0].id;
    const file = await p.app.inject({ method: 'GET', url: `/v1/billing/batches/${batchId}/837`, headers: { authorization: `Bearer ${practice.key}` } });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('application/edi-x12');
    const parser = new X12Parser(true);
    parser.parse(file.body);
    expect(parser.diagnostics).toEqual([]);
    const sent = parse837P(file.body);
    expect(sent.claims.map((c) => c.patientControlNumber).sort()).toEqual([...pcns].sort());
    expect(sent.claims.reduce((s, c) => s + c.chargeCents, 0)).toBe(ehr.totalChargeCents);
    // Nothing waits any more: a second call makes no batch.
    expect((await call()('POST', '/v1/billing/batches', {})).json.batches).toEqual([]);
  });

  it('moves claims with a 999 and a 277CA; the rejected claim is corrected and sent again with frequency 7', async () => {
    const file = (await p.app.inject({ method: 'GET', url: `/v1/billing/batches/${batchId}/837`, headers: { authorization: `Bearer ${practice.key}` } })).body;
    expect((await x12(practice.key, '/v1/billing/acknowledgments', ack999(file, 'A'))).status).toBe(201);
    const ack = await x12(practice.key, '/v1/billing/acknowledgments', ack277(parse837P(file).claims.map((c) => c.patientControlNumber)));
    expect(ack.status, JSON.stringify(ack.json)).toBe(201);
    expect(ack.json.moved).toHaveLength(8);
    expect(ack.json.moved.find((m: { patientControlNumber: string }) => m.patientControlNumber === rejectedPcn)).toMatchObject({ from: 'submitted', to: 'rejected' });
    expect((await claimOf(pcns[0]!)).status).toBe('accepted');
    const rejected = await claimOf(rejectedPcn);
    expect(rejected).toMatchObject({ status: 'rejected', rejection: { source: '277CA' } });
    expect(rejected.rejection.codes.join(' ')).toContain('A7');

    // Corrected and sent again; this time the clearinghouse's 999 refuses the transaction set.
    const corrected = await call()('POST', `/v1/billing/claims/${claimIds.get(rejectedPcn)}/correct`, { note: 'fixed subscriber id' });
    expect(corrected.status, JSON.stringify(corrected.json)).toBe(200);
    expect(corrected.json.frequencyCode).toBe('7');
    const resubmitted = await call()('POST', `/v1/billing/claims/${claimIds.get(rejectedPcn)}/submit`, {});
    expect(resubmitted.json).toMatchObject({ status: 'submitted', submissionCount: 2, frequencyCode: '7' });
    const batch2 = await call()('POST', '/v1/billing/batches', {});
    expect(batch2.json.batches[0]).toMatchObject({ claimCount: 1 });
    const file2 = (await p.app.inject({ method: 'GET', url: `/v1/billing/batches/${batch2.json.batches[0].id}/837`, headers: { authorization: `Bearer ${practice.key}` } })).body;
    expect(parse837P(file2).claims.map((c) => [c.patientControlNumber, c.frequencyCode])).toEqual([[rejectedPcn, '7']]);
    const refused = await x12(practice.key, '/v1/billing/acknowledgments', ack999(file2, 'R'));
    expect(refused.json.moved).toMatchObject([{ patientControlNumber: rejectedPcn, to: 'rejected' }]);
    expect((await claimOf(rejectedPcn)).rejection).toMatchObject({ source: '999' });
    // The 999 names the transaction set; the same file again moves nothing.
    expect((await x12(practice.key, '/v1/billing/acknowledgments', ack999(file2, 'R'))).status).toBe(200);

    await call()('POST', `/v1/billing/claims/${claimIds.get(rejectedPcn)}/correct`, {});
    expect((await call()('POST', `/v1/billing/claims/${claimIds.get(rejectedPcn)}/submit`, {})).json).toMatchObject({ status: 'submitted', submissionCount: 3 });
  });

  it('posts an 835 that pays, denies, moves patient responsibility, forwards, reverses an earlier posting and carries a PLB', async () => {
    // The first ERA pays one claim; the second reverses that payment and posts it anew.
    era1 = generateRemittance835({ claims: ehr.claims.slice(0, 1), seed: 31, traceNumber: 'E2E-ERA-1', outcomeOf: () => 'paid', providerAdjustments: false, paymentDate: '2026-05-20' });
    const first = await x12(practice.key, '/v1/billing/remittances', era1.text);
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    era1Id = first.json.id;
    expect((await claimOf(pcns[0]!)).status).toBe('paid');

    const rest = ehr.claims.slice(1, 7);
    const multi = rest.filter((c) => c.lines.length > 1).map((c) => c.patientControlNumber);
    expect(multi.length).toBeGreaterThanOrEqual(2);
    const outcome = new Map([
      [multi[0]!, 'partially-denied' as const],
      [multi[1]!, 'denied' as const],
      [rest.find((c) => !multi.slice(0, 2).includes(c.patientControlNumber))!.patientControlNumber, 'forwarded' as const],
    ]);
    era2 = generateRemittance835({
      claims: rest,
      reverse: era1.claims,
      unknownClaims: 1,
      seed: 32,
      traceNumber: 'E2E-ERA-2',
      paymentDate: '2026-05-21',
      outcomeOf: (c) => outcome.get(c.patientControlNumber) ?? 'paid',
    });
    expect(era2.totals.patientResponsibilityCents).toBeGreaterThan(0);
    const res = await x12(practice.key, '/v1/billing/remittances', era2.text);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    era2Id = res.json.id;
    expect(res.json).toMatchObject({
      traceNumber: 'E2E-ERA-2',
      paymentAmountCents: era2.totals.paymentCents,
      claimPaymentCents: era2.totals.claimPaymentCents,
      claimCount: era2.claims.length,
      unmatchedClaimCount: 1,
      matchedClaimCount: era2.claims.length - 1,
      providerAdjustments: era2.providerAdjustments.map((a) => ({ reason: a.reason, reference: a.reference, amountCents: a.amountCents })),
    });

    for (const [pcn, e] of era2.expected) {
      const claim = await claimOf(pcn);
      expect({ pcn, status: claim.status, paid: claim.paidCents, pr: claim.patientResponsibilityCents, adjusted: claim.adjustmentCents, balance: claim.balanceCents }).toEqual({
        pcn,
        status: e.status,
        paid: e.paidCents,
        pr: e.patientResponsibilityCents,
        adjusted: e.adjustmentCents,
        balance: 0,
      });
      expect(claim.lines.filter((l: { denied: boolean }) => l.denied)).toHaveLength(e.deniedLines);
      for (const line of claim.lines) expect(line.balanceCents).toBe(0);
      if (e.outcome === 'forwarded') expect(claim.forwardedTo).toBeTruthy();
    }
    // The reversed claim: its first posting, the reversal undoing it, the posting anew.
    const reversed = await claimOf(pcns[0]!);
    expect(reversed.adjudications).toHaveLength(3);
    type Posting = { id: string; reversal: boolean; remittanceId: string };
    const original = reversed.adjudications.find((a: Posting) => !a.reversal && a.remittanceId === era1Id);
    const undone = reversed.adjudications.find((a: Posting) => a.reversal);
    const anew = reversed.adjudications.find((a: Posting) => !a.reversal && a.remittanceId === era2Id);
    expect(undone).toMatchObject({ statusCode: '22', reversesId: original.id, remittanceId: era2Id, paidCents: -era1.claims[0]!.paidCents });
    expect(anew).toMatchObject({ paidCents: era2.expected.get(pcns[0]!)!.paidCents });
  });

  it('posts nothing for the same 835 again, nor for a malformed one', async () => {
    const before = await Promise.all(pcns.map(claimOf));
    const outbox = await rows<{ seq: number }>(sql`select coalesce(max(seq), 0)::int as seq from billing.mso_outbox where ${domainEvents}`);
    const again = await x12(practice.key, '/v1/billing/remittances', era2.text);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(era2Id);

    const era3 = generateRemittance835({ claims: ehr.claims.slice(5, 7), seed: 33, traceNumber: 'E2E-ERA-3', outcomeOf: () => 'paid' });
    // The second CLP has no status code (CLP02): the first claim, readable, must not be posted either.
    const second = ehr.claims[6]!.patientControlNumber;
    const malformed = era3.text.replace(`CLP*${second}*1*`, `CLP*${second}**`);
    expect(malformed).not.toBe(era3.text);
    const refused = await x12(practice.key, '/v1/billing/remittances', malformed);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.json)).toContain('CLP');

    expect(await Promise.all(pcns.map(claimOf))).toEqual(before);
    const added = await rows<{ type: string }>(sql`select envelope->>'type' as type from billing.mso_outbox where ${domainEvents} and seq > ${outbox[0]!.seq}`);
    expect(added).toEqual([]);
    const listed = await call()('GET', '/v1/billing/remittances');
    expect(listed.json.items.map((r: { traceNumber: string }) => r.traceNumber).sort()).toEqual(['E2E-ERA-1', 'E2E-ERA-2']);
  });

  it('lets a biller match the CLP no claim was found for; the posting completes', async () => {
    const queue = await call()('GET', '/v1/billing/unmatched-remittances');
    expect(queue.status).toBe(200);
    expect(queue.json.items).toHaveLength(1);
    const item = queue.json.items[0];
    expect(item).toMatchObject({ patientControlNumber: 'UNKNOWN000001', reason: 'no-claim', status: 'open', remittanceId: era2Id });
    const matched = await call()('POST', `/v1/billing/unmatched-remittances/${item.id}/match`, { claimId: claimIds.get(rejectedPcn) });
    expect(matched.status, JSON.stringify(matched.json)).toBe(200);
    expect(matched.json).toMatchObject({ status: 'matched', claimId: claimIds.get(rejectedPcn) });
    const unknown = era2.claims.find((c: Claim835) => c.patientControlNumber === 'UNKNOWN000001')!;
    expect(await claimOf(rejectedPcn)).toMatchObject({ status: 'paid', paidCents: unknown.paidCents });
    expect((await call()('GET', '/v1/billing/unmatched-remittances')).json.items).toEqual([]);
  });

  it('hands each event to another service exactly once in effect, also when the relay delivers it again, without PHI', { timeout: 90_000 }, async () => {
    type Received = { event_id: string; type: string; subject: string | null; data: Record<string, unknown>; times: number };
    const received = () => rows<Received>(sql`select event_id, type, subject, data, times from collections_e2e.received`);
    const published = async () => (await rows<{ n: number }>(sql`select count(*)::int as n from billing.mso_outbox where ${domainEvents}`))[0]!.n;
    const unpublished = async () => (await rows<{ n: number }>(sql`select count(*)::int as n from billing.mso_outbox where published_at is null`))[0]!.n;
    expect(await eventually(unpublished, (n) => n === 0)).toBe(0);
    const total = await published();
    const got = await eventually(received, (r) => r.length >= total);
    expect(got).toHaveLength(total);
    const byType = (type: string) => got.filter((r) => r.type === type);
    expect(byType('billing.claim.submitted')).toHaveLength(10); // eight claims, the corrected one twice more
    expect(byType('billing.remittance.posted')).toHaveLength(2);
    const adjudicated = byType('billing.claim.adjudicated');
    expect(adjudicated.filter((r) => r.data.reversal === true).map((r) => r.data.paidCents)).toEqual([-era1.claims[0]!.paidCents]);
    expect(byType('billing.claim.denied').length).toBeGreaterThanOrEqual(2);
    const posted = byType('billing.remittance.posted').find((r) => r.data.traceNumber === 'E2E-ERA-2')!;
    expect(posted.data.providerAdjustments).toHaveLength(3);

    // The relay publishes every row again (as after a crash before it marked them): nothing happens twice.
    const outbox = await rows<{ id: string; subject: string; envelope: unknown }>(sql`select id, subject, envelope from billing.mso_outbox where ${domainEvents} order by seq`);
    for (const row of outbox) await p.runtime.bus.publish({ id: `again-${row.id}`, subject: row.subject, data: new TextEncoder().encode(JSON.stringify(row.envelope)) });
    // A new event behind the repeats (a paid claim voided: sent again with frequency 8): once it is in,
    // the repeats ahead of it on the stream have been handed over too.
    const paid = [...era2.expected.values()].find((e) => e.outcome === 'paid')!.patientControlNumber;
    const voided = await call()('POST', `/v1/billing/claims/${claimIds.get(paid)}/void`, { note: 'billed to the wrong payer' });
    expect(voided.json).toMatchObject({ frequencyCode: '8', status: 'submitted' });
    const after = await eventually(received, (r) => r.some((x) => x.type === 'billing.claim.submitted' && x.data.frequencyCode === '8'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(after).toHaveLength(total + 1);
    expect((await received()).filter((r) => r.times !== 1)).toEqual([]);

    const payloads = JSON.stringify((await received()).map((r) => r.data));
    for (const c of ehr.claims) {
      expect(payloads).not.toContain(c.subscriber.memberId);
      expect(payloads).not.toContain(c.subscriber.lastName);
      expect(payloads).not.toContain(c.subscriber.dateOfBirth!);
    }
  });

  it("answers 404 for another practice's claim, patient and remittance, and 403 without billing in the agreement", async () => {
    const claim = await claimOf(pcns[0]!);
    const theirs = as(other.key);
    expect((await theirs('GET', `/v1/billing/claims/${claim.id}`)).status).toBe(404);
    expect((await theirs('GET', `/v1/billing/patients/${claim.patientId}`)).status).toBe(404);
    expect((await theirs('GET', `/v1/billing/remittances/${era2Id}`)).status).toBe(404);
    expect((await theirs('POST', `/v1/billing/claims/${claim.id}/submit`, {})).status).toBe(404);
    expect((await theirs('GET', '/v1/billing/claims')).json.items).toEqual([]);
    const refused = await as(helpdeskOnly.key)('GET', '/v1/billing/claims');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'service-not-in-agreement' });
  });
});

/** The clearinghouse's 999 for every transaction set of an 837P file: accepted (A) or rejected (R). */
function ack999(file837: string, code: 'A' | 'R'): string {
  const segs = tokenize(file837);
  const gs = segs.find((s) => s.id === 'GS')!;
  const sts = segs.filter((s) => s.id === 'ST');
  const body = [`AK1*HC*${gs.elements[5]}*${gs.elements[7]}`];
  for (const st of sts) {
    body.push(`AK2*837*${st.elements[1]}*005010X222A1`);
    if (code === 'R') {
      const clm = segs.find((s) => s.id === 'CLM' && s.index > st.index)!;
      body.push(`IK3*CLM*${clm.index - st.index + 1}*2300*8`, `CTX*CLM01:${clm.elements[0]}`, `IK4*2*782*6*${clm.elements[1]}`);
    }
    body.push(code === 'A' ? 'IK5*A' : 'IK5*R*5');
  }
  body.push(`AK9*${code}*${sts.length}*${sts.length}*${code === 'A' ? sts.length : 0}`);
  return joinSegments(envelope(body, { type: '999', control: code === 'A' ? 901 : 902 }));
}

/** The payer's 277CA: every claim accepted but `rejectedPcn`, rejected for the subscriber's id. */
function ack277(sentPcns: string[]): string {
  const body = [
    'BHT*0085*08*277X214*20260521*1200*TH',
    'HL*1**20*1',
    'NM1*PR*2*BENCH HEALTH PLAN*****PI*60054',
    'TRN*1*RECEIPT0521',
    'DTP*050*D8*20260521',
    'DTP*009*D8*20260521',
    'HL*2*1*21*1',
    'NM1*41*2*BENCH FAMILY MEDICINE*****46*SUB1234',
    'TRN*2*41',
    'STC*A1:19:PR*20260521*WQ*100',
    'HL*3*2*19*1',
    'NM1*85*2*BENCH FAMILY MEDICINE*****XX*1234567893',
    'TRN*1*0',
  ];
  sentPcns.forEach((pcn, i) => {
    const claim = ehr.claims.find((c) => c.patientControlNumber === pcn)!;
    const charge = (claim.chargeCents / 100).toFixed(2);
    body.push(`HL*${4 + i}*3*PT`, `NM1*QC*1*${claim.subscriber.lastName}*${claim.subscriber.firstName}****MI*${claim.subscriber.memberId}`, `TRN*2*${pcn}`);
    if (pcn === rejectedPcn) body.push(`STC*A7:33:IL*20260521*U*${charge}`);
    else body.push(`STC*A2:20:PR*20260521*WQ*${charge}`, `REF*1K*PAYER${i + 1}`);
  });
  return joinSegments(envelope(body, { type: '277', control: 903, stControl: '2770' }));
}
