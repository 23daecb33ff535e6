// Stage 4: collections. Patient statements for what the payers left to the patients, payments (one
// sent twice with the same Idempotency-Key, posted once), and a payment plan whose installment is missed.
import { randomUUID } from 'node:crypto';
import { eventually } from './client.js';
import { day, practiceList, type DemoContext, type DemoPractice } from './context.js';

const withCollections = (ctx: DemoContext) => practiceList(ctx).filter((p) => p.services.includes('collections'));

async function guarantorsWithBalance(p: DemoPractice): Promise<{ guarantorId: string; balanceCents: number }[]> {
  const aging = await p.api.get('/v1/collections/reports/aging');
  return (aging.accounts as { guarantorId: string; balanceCents: number }[]).filter((a) => a.balanceCents > 0).sort((a, b) => b.balanceCents - a.balanceCents);
}

export function collectionsStage(ctx: DemoContext): void {
  ctx.on(day(20), async () => {
    for (const p of withCollections(ctx)) {
      // Collections hears billing's adjudications by event: wait until every patient share has arrived.
      const claims = await p.api.all('/v1/billing/claims');
      const owed = claims.reduce((s: number, c: { patientResponsibilityCents: number }) => s + c.patientResponsibilityCents, 0);
      await eventually(() => p.api.get('/v1/collections/reports/aging'), (a) => a.totalCents + a.insurancePendingCents >= owed || a.totalCents >= owed, `patient balances at ${p.name}`);
      const accounts = await guarantorsWithBalance(p);
      p.guarantors = accounts.map((a) => a.guarantorId);
      for (const [i, a] of accounts.entries()) {
        await p.api.put(`/v1/collections/guarantors/${a.guarantorId}`, {
          name: `Guarantor ${i + 1}`,
          mailingAddress: { line1: `${10 + i} Harbor St`, city: 'Tampa', state: p.state, postalCode: '33602' },
          email: `guarantor${i + 1}@example.com`,
          preferredChannel: i % 2 === 0 ? 'email' : 'mail',
          consent: { email: true, mail: true },
        });
      }
      await p.api.put('/v1/collections/practice-profile', { name: p.name, address: { line1: '500 Bayshore Blvd', city: 'Tampa', state: p.state, postalCode: '33606' }, phone: '8135550100', paymentUrl: 'https://pay.example.com', payWithinDays: 30 });
      const run = await p.api.post('/v1/collections/statement-runs');
      ctx.progress(`collections: ${p.name}: ${accounts.length} patient balances; statement run sent ${run.statementCount} statements ($${(run.amountDueCents / 100).toFixed(2)} due)`);
    }
  });

  ctx.on(day(22), async () => {
    for (const p of withCollections(ctx)) {
      const accounts = await guarantorsWithBalance(p);
      const [payer, planned, ...rest] = accounts;
      if (payer) {
        // The card terminal times out and the front desk presses again: same key, one payment.
        const key = randomUUID();
        const body = { guarantorId: payer.guarantorId, amountCents: payer.balanceCents, method: 'card', reference: 'front desk terminal' };
        const first = await p.api.request('POST', '/v1/collections/payments', body, { idempotencyKey: key });
        const again = await p.api.request('POST', '/v1/collections/payments', body, { idempotencyKey: key });
        const replayed = again.headers.get('idempotent-replayed') === 'true' && again.body.id === first.body.id;
        ctx.facts.paymentsByWeek.push({ practice: p.key, date: day(22), amountCents: payer.balanceCents, source: 'patient' });
        ctx.progress(`collections: ${p.name}: card payment $${(payer.balanceCents / 100).toFixed(2)}, retried with the same key: ${replayed ? 'replayed, posted once' : 'NOT replayed'}`);
        ctx.state[`replayed:${p.key}`] = replayed;
      }
      for (const a of rest.slice(0, 2)) {
        const part = Math.floor(a.balanceCents / 2);
        if (part <= 0) continue;
        await p.api.post('/v1/collections/payments', { guarantorId: a.guarantorId, amountCents: part, method: 'online' });
        ctx.facts.paymentsByWeek.push({ practice: p.key, date: day(22), amountCents: part, source: 'patient' });
      }
      if (planned && planned.balanceCents >= 300) {
        const plan = await p.api.post('/v1/collections/payment-plans', { guarantorId: planned.guarantorId, totalCents: planned.balanceCents, installmentCount: 3, firstDueOn: day(23), minInstallmentCents: 100 });
        ctx.state[`plan:${p.key}`] = plan.id;
        ctx.progress(`collections: ${p.name}: payment plan of 3 installments for $${(planned.balanceCents / 100).toFixed(2)}, first due the 23rd`);
      }
    }
  });

  // Nobody pays the first installment: after its grace days the plan defaults.
  ctx.on(day(29), async () => {
    for (const p of withCollections(ctx)) {
      const id = ctx.state[`plan:${p.key}`] as string | undefined;
      if (!id) continue;
      const plan = await p.api.get(`/v1/collections/payment-plans/${id}`);
      ctx.state[`planStatus:${p.key}`] = plan.status;
      const missed = (plan.installments as { dueOn: string; paidCents: number; amountCents: number }[]).filter((i) => i.dueOn < day(29) && i.paidCents < i.amountCents).length;
      ctx.progress(`collections: ${p.name}: payment plan ${plan.status}${plan.defaultedOn ? ` since ${plan.defaultedOn}` : ''}; ${missed} installment missed (due the 23rd, grace ${plan.graceDays} days)`);
    }
  });
}
