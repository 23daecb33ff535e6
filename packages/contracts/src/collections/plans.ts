// Payment plans: a total in monthly installments; payments pay them in due order; an installment
// unpaid past the practice's grace period defaults the plan and dunning resumes.
import Type from 'typebox';
import { getById } from '../builders.js';
import { Cents, IsoDate, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { accountReaders, accountWriters } from './accounts.js';

export const planStatuses = ['active', 'completed', 'defaulted', 'cancelled'] as const;

export const PaymentPlan = Type.Object({
  id: Uuid,
  guarantorId: Uuid,
  totalCents: Cents,
  installmentCount: Type.Integer(),
  minInstallmentCents: Cents,
  graceDays: Type.Integer(),
  status: StringEnum(planStatuses),
  paidCents: Cents,
  defaultedOn: Nullable(IsoDate),
  installments: Type.Array(Type.Object({ number: Type.Integer(), dueOn: IsoDate, amountCents: Cents, paidCents: Cents })),
  createdAt: Timestamp,
});

export const createPlan = operation({
  service: 'collections',
  name: 'payment-plan.create',
  summary: 'Put a guarantor on a payment plan: monthly installments from the first due date',
  http: { method: 'POST', path: '/v1/collections/payment-plans', status: 201 },
  idempotency: 'required',
  roles: accountWriters,
  input: Type.Object(
    {
      guarantorId: Uuid,
      totalCents: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
      installmentCount: Type.Integer({ minimum: 2, maximum: 60 }),
      firstDueOn: IsoDate,
      /** The smallest installment the practice accepts (default 1 cent). */
      minInstallmentCents: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
    },
    { additionalProperties: false },
  ),
  output: PaymentPlan,
  errors: ['validation-failed', 'not-found', 'unprocessable', 'conflict'],
});

export const getPlan = getById({
  service: 'collections',
  name: 'payment-plan.get',
  summary: 'A payment plan and its installments',
  path: '/v1/collections/payment-plans/{id}',
  roles: accountReaders,
  output: PaymentPlan,
});

export const planOperations = [createPlan, getPlan] as const;
