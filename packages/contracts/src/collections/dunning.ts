// The dunning policy (statement → reminder 1 → reminder 2 → final notice → agency referral) and where
// each account stands in it.
import Type, { type Static } from 'typebox';
import { getById } from '../builders.js';
import { Cents, IsoDate, Nullable, operation, StringEnum, Uuid } from '../core.js';
import { statementReaders, statementWriters } from './statements.js';

export const dunningSteps = ['statement', 'reminder-1', 'reminder-2', 'final-notice', 'agency-referral'] as const;
export type DunningStep = (typeof dunningSteps)[number];
/** What a payment does to the sequence: `reset` starts it over at the statement, `pause` holds the step for `pauseDays`. */
export const onPaymentRules = ['reset', 'pause'] as const;

const Days = Type.Integer({ minimum: 1, maximum: 365 });

/** The policy's fields; every one optional in the agreement's terms (defaults fill the rest). */
const policyFields = {
  /** Days from the statement to reminder 1. */
  reminder1AfterDays: Days,
  /** Days from reminder 1 to reminder 2. */
  reminder2AfterDays: Days,
  /** Days from reminder 2 to the final notice. */
  finalNoticeAfterDays: Days,
  /** Days from the final notice to the agency referral. */
  agencyReferralAfterDays: Days,
  onPayment: StringEnum(onPaymentRules),
  /** With `pause`: days a payment holds the sequence where it is. */
  pauseDays: Days,
  /** The agency accounts are placed with at the referral step; null: the step waits for a manual placement. */
  agencyId: Nullable(Uuid),
};

/** `terms.collections.dunning` in the agreement. */
export const DunningTerms = Type.Object(
  Object.fromEntries(Object.entries(policyFields).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof typeof policyFields]: ReturnType<typeof Type.Optional<(typeof policyFields)[K]>>;
  },
  { additionalProperties: false },
);
export type DunningTerms = Static<typeof DunningTerms>;

export const DunningPolicyInput = Type.Object(policyFields, { additionalProperties: false });
export const DunningPolicy = Type.Object({
  ...policyFields,
  /** `practice`: set here (wins); `agreement`: the agreement's terms; `default`: neither. */
  source: StringEnum(['practice', 'agreement', 'default']),
});
export type DunningPolicy = Static<typeof DunningPolicy>;

export const putDunningPolicy = operation({
  service: 'collections',
  name: 'dunning-policy.put',
  summary: "Set the practice's dunning policy (it takes precedence over the agreement's terms)",
  http: { method: 'PUT', path: '/v1/collections/dunning-policy' },
  roles: statementWriters,
  input: DunningPolicyInput,
  output: DunningPolicy,
  errors: ['validation-failed', 'not-found'],
});

export const getDunningPolicy = operation({
  service: 'collections',
  name: 'dunning-policy.get',
  summary: "The practice's dunning policy in effect",
  http: { method: 'GET', path: '/v1/collections/dunning-policy' },
  roles: statementReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: DunningPolicy,
});

export const DunningState = Type.Object({
  guarantorId: Uuid,
  step: StringEnum(dunningSteps),
  stepOn: IsoDate,
  /** When the next step is due (null at the last step). */
  nextStepOn: Nullable(IsoDate),
  pausedUntil: Nullable(IsoDate),
});
export type DunningState = Static<typeof DunningState>;

export const getDunningState = getById({
  service: 'collections',
  name: 'dunning-state.get',
  summary: "Where a guarantor's account stands in the dunning sequence",
  path: '/v1/collections/guarantors/{guarantorId}/dunning',
  param: 'guarantorId',
  roles: statementReaders,
  output: DunningState,
});

export const dunningStepsReport = operation({
  service: 'collections',
  name: 'report.dunning-steps',
  summary: 'Accounts in each dunning step, with their balance',
  http: { method: 'GET', path: '/v1/collections/reports/dunning-steps' },
  roles: statementReaders,
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ rows: Type.Array(Type.Object({ step: StringEnum(dunningSteps), accounts: Type.Integer(), balanceCents: Cents })) }),
});

export const dunningOperations = [putDunningPolicy, getDunningPolicy, getDunningState, dunningStepsReport] as const;
