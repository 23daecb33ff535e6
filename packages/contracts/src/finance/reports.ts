// Finance contract: reports on one entity's books (trial balance, profit and loss, balance sheet,
// general ledger, AR aging) and CSV exports of the trial balance and general ledger.
import Type from 'typebox';
import { Cents, IsoDate, Nullable, operation, type Operation, RawResponse, StringEnum, Uuid } from '../core.js';
import { accountTypeValues, EntityRef, entrySourceKinds, financeReaders, PeriodRef } from './ledger.js';

const EntityQuery = { entity: Type.Optional(EntityRef) };

export const TrialBalanceAccount = Type.Object({
  key: Nullable(Type.String()),
  code: Type.String(),
  name: Type.String(),
  type: StringEnum(accountTypeValues),
  /** The account's balance in the debit column (when it is a debit balance), else 0. */
  debitCents: Cents,
  /** The account's balance in the credit column (when it is a credit balance), else 0. */
  creditCents: Cents,
  /** Positive on the account's normal side. */
  balanceCents: Cents,
});

export const TrialBalance = Type.Object({
  entity: Type.String(),
  /** Balances at the end of this month; null: everything to date. */
  period: Nullable(Type.String()),
  accounts: Type.Array(TrialBalanceAccount),
  totalDebitCents: Cents,
  totalCreditCents: Cents,
});

const ReportLine = Type.Object({ key: Nullable(Type.String()), code: Type.String(), name: Type.String(), amountCents: Cents });

export const ProfitAndLoss = Type.Object({
  entity: Type.String(),
  from: Type.String(),
  to: Type.String(),
  /** Revenue accounts net of their contra accounts (allowances, denials, recoupments), positive when earned. */
  revenue: Type.Array(ReportLine),
  totalRevenueCents: Cents,
  expenses: Type.Array(ReportLine),
  totalExpenseCents: Cents,
  netIncomeCents: Cents,
});

export const BalanceSheet = Type.Object({
  entity: Type.String(),
  /** As of the end of this month (null: to date). */
  period: Nullable(Type.String()),
  assets: Type.Array(ReportLine),
  totalAssetsCents: Cents,
  liabilities: Type.Array(ReportLine),
  totalLiabilitiesCents: Cents,
  /** Equity accounts and the earnings not yet closed into retained earnings (`key` null, code `current-earnings`). */
  equity: Type.Array(ReportLine),
  totalEquityCents: Cents,
  totalLiabilitiesAndEquityCents: Cents,
});

export const GeneralLedger = Type.Object({
  entity: Type.String(),
  account: Type.Object({ id: Uuid, key: Nullable(Type.String()), code: Type.String(), name: Type.String(), normalSide: Type.String() }),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  /** Balance before `from`, on the account's normal side. */
  openingBalanceCents: Cents,
  lines: Type.Array(
    Type.Object({
      date: IsoDate,
      entryId: Uuid,
      memo: Type.String(),
      source: StringEnum(entrySourceKinds),
      ref: Nullable(Type.String()),
      debitCents: Cents,
      creditCents: Cents,
      /** Running balance after this line, on the account's normal side. */
      balanceCents: Cents,
    }),
  ),
  closingBalanceCents: Cents,
});

export const agingBucketNames = ['0-30', '31-60', '61-90', '91-120', '120+'] as const;
const Aging = Type.Object({
  buckets: Type.Object(Object.fromEntries(agingBucketNames.map((b) => [b, Cents])) as Record<(typeof agingBucketNames)[number], typeof Cents>),
  totalCents: Cents,
});

export const ArAging = Type.Object({
  entity: Type.String(),
  asOf: IsoDate,
  /** Open insurance AR by claim, aged from the claim's first posting to AR. */
  insurance: Aging,
  /** Open patient AR by claim, aged from when it moved to the patient. */
  patient: Aging,
  totalCents: Cents,
});

const PeriodRange = {
  period: Type.Optional(PeriodRef),
  from: Type.Optional(PeriodRef),
  to: Type.Optional(PeriodRef),
};

export const getTrialBalance = operation({
  service: 'finance',
  name: 'trial-balance.get',
  summary: "An entity's trial balance at the end of a month, or to date",
  http: { method: 'GET', path: '/v1/finance/trial-balance' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object({ ...EntityQuery, period: Type.Optional(PeriodRef) }, { additionalProperties: false }),
  output: TrialBalance,
  errors: ['validation-failed', 'not-found'],
});

export const exportTrialBalance = operation({
  service: 'finance',
  name: 'trial-balance.export',
  summary: 'The trial balance as CSV',
  http: { method: 'GET', path: '/v1/finance/trial-balance/csv', response: { mediaTypes: ['text/csv'] } },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object({ ...EntityQuery, period: Type.Optional(PeriodRef) }, { additionalProperties: false }),
  output: RawResponse,
  errors: ['validation-failed', 'not-found'],
});

export const getProfitAndLoss = operation({
  service: 'finance',
  name: 'profit-and-loss.get',
  summary: 'Profit and loss for a month (`period`) or a range of months (`from`, `to`)',
  http: { method: 'GET', path: '/v1/finance/profit-and-loss' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object({ ...EntityQuery, ...PeriodRange }, { additionalProperties: false }),
  output: ProfitAndLoss,
  errors: ['validation-failed', 'not-found'],
});

export const getBalanceSheet = operation({
  service: 'finance',
  name: 'balance-sheet.get',
  summary: 'Balance sheet at the end of a month, or to date',
  http: { method: 'GET', path: '/v1/finance/balance-sheet' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object({ ...EntityQuery, period: Type.Optional(PeriodRef) }, { additionalProperties: false }),
  output: BalanceSheet,
  errors: ['validation-failed', 'not-found'],
});

const GeneralLedgerQuery = Type.Object(
  {
    ...EntityQuery,
    /** A system account key or an account id. */
    account: Type.String({ minLength: 1, maxLength: 64 }),
    ...PeriodRange,
  },
  { additionalProperties: false },
);

export const getGeneralLedger = operation({
  service: 'finance',
  name: 'general-ledger.get',
  summary: "One account's lines with a running balance, for a month, a range of months or to date",
  http: { method: 'GET', path: '/v1/finance/general-ledger' },
  scope: 'platform',
  roles: financeReaders,
  input: GeneralLedgerQuery,
  output: GeneralLedger,
  errors: ['validation-failed', 'not-found'],
});

export const exportGeneralLedger = operation({
  service: 'finance',
  name: 'general-ledger.export',
  summary: 'The general ledger of one account as CSV',
  http: { method: 'GET', path: '/v1/finance/general-ledger/csv', response: { mediaTypes: ['text/csv'] } },
  scope: 'platform',
  roles: financeReaders,
  input: GeneralLedgerQuery,
  output: RawResponse,
  errors: ['validation-failed', 'not-found'],
});

export const getArAging = operation({
  service: 'finance',
  name: 'ar-aging.get',
  summary: 'Accounts receivable aging (0-30, 31-60, 61-90, 91-120, 120+ days), insurance and patient',
  http: { method: 'GET', path: '/v1/finance/ar-aging' },
  scope: 'platform',
  roles: financeReaders,
  input: Type.Object({ ...EntityQuery, asOf: Type.Optional(IsoDate) }, { additionalProperties: false }),
  output: ArAging,
  errors: ['validation-failed', 'not-found'],
});

export const reportOperations: readonly Operation[] = [
  getTrialBalance,
  exportTrialBalance,
  getProfitAndLoss,
  getBalanceSheet,
  getGeneralLedger,
  exportGeneralLedger,
  getArAging,
];
