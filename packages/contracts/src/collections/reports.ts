// Collections reports for a practice: aging, collection rate, payments by channel.
import Type from 'typebox';
import { Cents, IsoDate, operation, StringEnum, Uuid } from '../core.js';
import { accountReaders } from './accounts.js';
import { Aging } from './statements.js';
import { paymentMethods } from './events.js';

export const AgingReport = Type.Object({
  asOf: IsoDate,
  totalCents: Cents,
  aging: Aging,
  /** Charges at the payer, apart from the patient balances. */
  insurancePendingCents: Cents,
  /** Open cents that age from an adjudication date (no statement yet). */
  agedFromAdjudicationCents: Cents,
  accounts: Type.Array(Type.Object({ guarantorId: Uuid, balanceCents: Cents, aging: Aging })),
});

export const agingReport = operation({
  service: 'collections',
  name: 'report.aging',
  summary: "The practice's patient balances by age, with insurance pending apart",
  http: { method: 'GET', path: '/v1/collections/reports/aging' },
  roles: accountReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: AgingReport,
});

const Period = Type.Object({ from: IsoDate, to: IsoDate }, { additionalProperties: false });

export const collectionRateReport = operation({
  service: 'collections',
  name: 'report.collection-rate',
  summary: 'Patient responsibility billed in a period against what was collected (payments less refunds) and written off',
  http: { method: 'GET', path: '/v1/collections/reports/collection-rate' },
  roles: accountReaders,
  input: Period,
  output: Type.Object({
    from: IsoDate,
    to: IsoDate,
    responsibilityCents: Cents,
    collectedCents: Cents,
    refundedCents: Cents,
    writtenOffCents: Cents,
    /** collected ÷ responsibility, in basis points (10000 = 100%); null without responsibility. */
    rateBasisPoints: Type.Union([Type.Integer(), Type.Null()]),
  }),
  errors: ['validation-failed'],
});

export const paymentsByChannelReport = operation({
  service: 'collections',
  name: 'report.payments-by-channel',
  summary: 'Payments received in a period by method',
  http: { method: 'GET', path: '/v1/collections/reports/payments-by-channel' },
  roles: accountReaders,
  input: Period,
  output: Type.Object({
    from: IsoDate,
    to: IsoDate,
    totalCents: Cents,
    channels: Type.Array(Type.Object({ method: StringEnum(paymentMethods), count: Type.Integer(), amountCents: Cents })),
  }),
  errors: ['validation-failed'],
});

export const reportOperations = [agingReport, collectionRateReport, paymentsByChannelReport] as const;
