import { and, eq } from 'drizzle-orm';
import type { Static } from 'typebox';
import * as contract from '@mso/contracts/collections';
import { handle, type Handler } from '@mso/kit';
import { notFound } from '../../domain/problems.js';
import { paymentApplications, payments, type Payment } from '../../db/payments.js';
import { postPayment, postRefund } from '../../db/postings.js';
import { iso, whenOf } from '../common.js';

const toPayment = (p: Payment, applications: { claimId: string; amountCents: number }[], planId: string | null = p.planId): Static<typeof contract.Payment> => ({
  id: p.id,
  guarantorId: p.guarantorId,
  amountCents: p.amountCents,
  method: p.method,
  reference: p.reference,
  claimId: p.claimId,
  receivedOn: p.receivedOn,
  applications: applications.map((a) => ({ claimId: a.claimId, amountCents: a.amountCents })),
  creditCents: p.creditCents,
  planId,
  createdAt: iso(p.createdAt),
});

/** Posted once per Idempotency-Key (required): a retry answers the same payment, another amount with the key 422. */
const postPaymentHandler: Handler<typeof contract.postPayment> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const { payment, applications, planId } = await postPayment(tx, when, input);
    return toPayment(payment, applications, planId);
  });
};

const getPaymentHandler: Handler<typeof contract.getPayment> = async (input, ctx) => {
  const [p] = await ctx.db
    .select()
    .from(payments)
    .where(and(eq(payments.practiceId, ctx.practiceId), eq(payments.id, input.id)));
  if (!p) throw notFound('payment');
  const applications = await ctx.db
    .select()
    .from(paymentApplications)
    .where(and(eq(paymentApplications.practiceId, ctx.practiceId), eq(paymentApplications.paymentId, p.id)));
  return toPayment(p, applications, p.planId);
};

const postRefundHandler: Handler<typeof contract.postRefund> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const { refund, creditCents } = await postRefund(tx, when, input);
    return {
      id: refund.id,
      guarantorId: refund.guarantorId,
      paymentId: refund.paymentId,
      amountCents: refund.amountCents,
      refundedOn: refund.refundedOn,
      creditCents,
      createdAt: iso(refund.createdAt),
    };
  });
};

export const paymentHandlers = [handle(contract.postPayment, postPaymentHandler), handle(contract.getPayment, getPaymentHandler), handle(contract.postRefund, postRefundHandler)];
