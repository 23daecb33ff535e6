// Stage 3: billing. Each practice's EHR sends an 837P; the claims are submitted and batched, the
// clearinghouse answers with a 999 and the payer with a 277CA that rejects one claim (corrected and sent
// again), the payer's 835s pay, adjust, move patient responsibility, deny, reverse and carry PLB
// interest, and the billers work the denials (an appeal, a write-off).
import { generate837P, generateRemittance835, type Generated837P, type GeneratedRemittance } from '@mso/x12/testing';
import { ack277, ack999 } from './acks.js';
import { day, practiceList, type DemoContext, type DemoPractice } from './context.js';

interface PracticeClaims {
  ehr: Generated837P;
  rejectedPcn: string | null;
  era1?: GeneratedRemittance;
  era2?: GeneratedRemittance;
}

const providerName = (p: DemoPractice) => p.name.toUpperCase().replace(/[^A-Z ]/g, '');

const claimCount = { thirdParty: 10, jointVenture: 12, captive: 14 } as const;
const seed = { thirdParty: 11, jointVenture: 23, captive: 37 } as const;

export function billingStage(ctx: DemoContext): void {
  const files = new Map<string, PracticeClaims>();
  let control = 700;
  ctx.on(day(3), async () => {
    for (const p of practiceList(ctx)) {
      const ehr = generate837P({
        claims: claimCount[p.key],
        seed: seed[p.key],
        patients: Math.ceil(claimCount[p.key] / 2),
        pcnPrefix: p.key === 'thirdParty' ? 'LFM' : p.key === 'jointVenture' ? 'GCO' : 'SPC',
        serviceDateFrom: '2026-05-18',
        serviceDays: 14,
        billingProvider: { name: providerName(p), npi: p.npi, taxId: '123456789', taxonomy: '207Q00000X', address: { line1: '100 CLINIC DR', city: 'COLUMBUS', state: p.state, postalCode: '43215' } },
        controlNumber: ++control,
      });
      const imported = await p.api.x12('/v1/billing/claim-imports', ehr.text);
      for (const c of imported.body.claims) p.claims.set(c.patientControlNumber, c.id);
      const submitted = await Promise.all([...p.claims.values()].map((id) => p.api.post(`/v1/billing/claims/${id}/submit`)));
      const batches = (await p.api.post('/v1/billing/batches')).batches as { id: string; claimCount: number }[];
      files.set(p.key, { ehr, rejectedPcn: p.key === 'captive' ? ehr.claims[ehr.claims.length - 1]!.patientControlNumber : null });
      ctx.state[`batches:${p.key}`] = batches.map((b) => b.id);
      ctx.progress(`billing: ${p.name}: 837P imported (${ehr.claims.length} claims, $${(ehr.totalChargeCents / 100).toFixed(2)}), ${submitted.length} submitted, ${batches.length} batch`);
    }

  });
  ctx.on(day(4), async () => {
    for (const p of practiceList(ctx)) {
      const f = files.get(p.key)!;
      for (const batchId of ctx.state[`batches:${p.key}`] as string[]) {
        const file = (await p.api.get(`/v1/billing/batches/${batchId}/837`)) as string;
        await p.api.x12('/v1/billing/acknowledgments', ack999(file, ++control));
        const ack = await p.api.x12('/v1/billing/acknowledgments', ack277(f.ehr.claims, { name: providerName(p), npi: p.npi }, f.rejectedPcn ?? '', ++control, day(4)));
        const rejected = (ack.body.moved as { to: string }[]).filter((m) => m.to === 'rejected').length;
        ctx.progress(`billing: ${p.name}: 999 accepted the batch, 277CA accepted ${ack.body.moved.length - rejected}${rejected ? `, rejected ${rejected} (subscriber id)` : ''}`);
      }
      if (f.rejectedPcn) {
        const id = p.claims.get(f.rejectedPcn)!;
        await p.api.post(`/v1/billing/claims/${id}/correct`, { note: 'subscriber id corrected from the insurance card' });
        await p.api.post(`/v1/billing/claims/${id}/submit`);
        const again = (await p.api.post('/v1/billing/batches')).batches as { id: string }[];
        for (const b of again) await p.api.x12('/v1/billing/acknowledgments', ack999((await p.api.get(`/v1/billing/batches/${b.id}/837`)) as string, ++control));
        ctx.progress(`billing: ${p.name}: the rejected claim corrected (frequency 7) and sent again`);
      }
    }

    ctx.on(day(6), async () => {
    const p = ctx.practices.captive;
    await scrubbedClaim(ctx, p, p.claims.values().next().value!);
    const batches = (await p.api.post('/v1/billing/batches')).batches as { id: string }[];
    for (const b of batches) await p.api.x12('/v1/billing/acknowledgments', ack999((await p.api.get(`/v1/billing/batches/${b.id}/837`)) as string, ++control));
  });

  // The payer's first 835: most claims paid with contractual adjustments and patient responsibility,
    // one partly and one wholly denied; the captive PC's carries PLB items (interest, a recoupment).
  });
  ctx.on(day(10), async () => {
    for (const p of practiceList(ctx)) {
      const f = files.get(p.key)!;
      const first = f.ehr.claims.slice(0, -3);
      const multi = first.filter((c) => c.lines.length > 1).map((c) => c.patientControlNumber);
      const outcome = new Map([
        [multi[1], 'partially-denied' as const],
        [multi[2], 'denied' as const],
      ]);
      f.era1 = generateRemittance835({
        claims: first,
        seed: seed[p.key] + 100,
        traceNumber: `${p.key.slice(0, 3).toUpperCase()}ERA1`,
        paymentDate: day(10),
        controlNumber: ++control,
        payee: { name: providerName(p), npi: p.npi },
        providerAdjustments: p.key === 'captive',
        outcomeOf: (c) => outcome.get(c.patientControlNumber) ?? 'paid',
      });
      const posted = await p.api.x12('/v1/billing/remittances', f.era1.text);
      ctx.facts.paymentsByWeek.push({ practice: p.key, date: day(10), amountCents: posted.body.paymentAmountCents, source: 'payer' });
      ctx.progress(`billing: ${p.name}: 835 posted, $${(posted.body.paymentAmountCents / 100).toFixed(2)} for ${posted.body.matchedClaimCount} claims${f.era1.providerAdjustments.length ? ` (PLB: ${f.era1.providerAdjustments.map((a) => a.reason).join(', ')})` : ''}`);
    }

    // The second 835: the rest paid, and the payer reverses its first payment of one claim and pays it anew.
  });
  ctx.on(day(17), async () => {
    for (const p of practiceList(ctx)) {
      const f = files.get(p.key)!;
      const era1 = f.era1!;
      const reversed = era1.claims.find((c) => era1.expected.get(c.patientControlNumber)?.outcome === 'paid')!;
      f.era2 = generateRemittance835({
        claims: f.ehr.claims.slice(-3),
        reverse: [reversed],
        seed: seed[p.key] + 200,
        traceNumber: `${p.key.slice(0, 3).toUpperCase()}ERA2`,
        paymentDate: day(17),
        controlNumber: ++control,
        payee: { name: providerName(p), npi: p.npi },
        providerAdjustments: false,
        outcomeOf: () => 'paid',
      });
      const posted = await p.api.x12('/v1/billing/remittances', f.era2.text);
      ctx.facts.paymentsByWeek.push({ practice: p.key, date: day(17), amountCents: posted.body.paymentAmountCents, source: 'payer' });
      ctx.progress(`billing: ${p.name}: 835 posted, $${(posted.body.paymentAmountCents / 100).toFixed(2)} (one earlier payment reversed and paid anew)`);
    }

    // The denial work queue: an appeal, a write-off.
  });
  ctx.on(day(18), async () => {
    for (const p of practiceList(ctx)) {
      const denials = await p.api.all('/v1/billing/denials?status=open');
      const [toAppeal, toWriteOff] = denials;
      if (toAppeal) await p.api.post(`/v1/billing/denials/${toAppeal.id}/appeal`, { deadline: '2026-08-15', followUpOn: day(30), note: 'medical records attached' });
      if (toWriteOff) await p.api.post(`/v1/billing/denials/${toWriteOff.id}/write-off`, { reason: 'non-covered', note: 'not a covered benefit under the plan' });
      ctx.progress(`billing: ${p.name}: ${denials.length} denials in the work queue; ${toAppeal ? 1 : 0} appealed, ${toWriteOff ? 1 : 0} written off`);
    }
    ctx.state.billingFiles = files;
  });
}


/**
 * A visit keyed in by the captive PC's front desk with no units on its charge: the scrubber keeps the
 * claim a draft; the biller corrects the units, adds the second diagnosis of the visit note and submits it.
 */
export async function scrubbedClaim(ctx: DemoContext, p: DemoPractice, firstClaimId: string): Promise<void> {
  const model = await p.api.get(`/v1/billing/claims/${firstClaimId}`);
  const encounter = await p.api.post('/v1/billing/encounters', {
    patientId: model.patientId,
    coverageId: model.coverageId,
    billingProviderId: model.billingProviderId,
    renderingProviderId: model.renderingProviderId,
    placeOfService: '11',
    dateOfService: day(5),
    diagnoses: [{ code: 'I10' }],
    charges: [{ procedureCode: '99213', units: 0, chargeCents: 125_00, diagnosisPointers: [1] }],
  });
  const built = await p.api.post(`/v1/billing/encounters/${encounter.id}/claim`, {});
  const errors = (built.findings as { code: string; severity: string }[]).filter((f) => f.severity === 'error').map((f) => f.code);
  const fixed = await p.api.patch(`/v1/billing/claims/${built.id}`, {
    diagnoses: [
      { code: 'I10', qualifier: 'ABK' },
      { code: 'E119', qualifier: 'ABF' },
    ],
    lines: (built.lines as { id: string; procedureCode: string; chargeCents: number; serviceDate: string }[]).map((l) => ({ id: l.id, procedureCode: l.procedureCode, units: 1, chargeCents: l.chargeCents, diagnosisPointers: [1, 2], serviceDate: l.serviceDate })),
    note: 'units corrected; diabetes diagnosis added from the visit note',
  });
  await p.api.post(`/v1/billing/claims/${built.id}/submit`);
  p.claims.set(built.patientControlNumber, built.id);
  ctx.progress(`billing: ${p.name}: a keyed-in claim refused by the scrubber (${errors.join(', ') || 'no errors'}: ${built.status}), corrected (${fixed.status}) and submitted`);
}
