// Patient payments: applied to the named claim or the oldest balance first (and an active plan's
// installments); what is left is a credit, refundable. A required Idempotency-Key: posted once.
import Type from 'typebox';
import { getById } from '../builders.js';
import { Cents, IsoDate, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { accountReaders, accountWriters } from './accounts.js';
import { paymentMethods } from './events.js';

export const Payment = Type.Object({
  id: Uuid,
  guarantorId: Uuid,
  amountCents: Cents,
  method: StringEnum(paymentMethods),
  reference: Nullable(Type.String()),
  claimId: Nullable(Uuid),
  receivedOn: IsoDate,
  applications: Type.Array(Type.Object({ claimId: Uuid, amountCents: Cents })),
  /** What no balance took: the guarantor's credit. */
  creditCents: Cents,
  /** Paid towards the active plan's installments. */
  planId: Nullable(Uuid),
  createdAt: Timestamp,
});

export const postPayment = operation({
  service: 'collections',
  name: 'payment.post',
  summary: "Post a guarantor's payment: the named claim or the oldest balance first; an overpayment is a credit",
  http: { method: 'POST', path: '/v1/collections/payments', status: 201 },
  idempotency: 'required',
  roles: accountWriters,
  input: Type.Object(
    {
      guarantorId: Uuid,
      amountCents: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
      method: StringEnum(paymentMethods),
      reference: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      claimId: Type.Optional(Uuid),
    },
    { additionalProperties: false },
  ),
  output: Payment,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const getPayment = getById({
  service: 'collections',
  name: 'payment.get',
  summary: 'A payment and how it was applied',
  path: '/v1/collections/payments/{id}',
  roles: accountReaders,
  output: Payment,
});

export const Refund = Type.Object({
  id: Uuid,
  guarantorId: Uuid,
  paymentId: Nullable(Uuid),
  amountCents: Cents,
  refundedOn: IsoDate,
  /** The guarantor's credit left. */
  creditCents: Cents,
  createdAt: Timestamp,
});

export const postRefund = operation({
  service: 'collections',
  name: 'refund.post',
  summary: "Refund a guarantor's credit (an overpayment)",
  http: { method: 'POST', path: '/v1/collections/refunds', status: 201 },
  idempotency: 'required',
  roles: accountWriters,
  input: Type.Object(
    { guarantorId: Uuid, amountCents: Type.Integer({ minimum: 1, maximum: 100_000_000 }), paymentId: Type.Optional(Uuid) },
    { additionalProperties: false },
  ),
  output: Refund,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const paymentOperations = [postPayment, getPayment, postRefund] as const;
