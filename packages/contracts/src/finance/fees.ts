// Finance contract: management fees, invoices, MSO expenses, intercompany and the consolidated view.
import Type, { type Static } from 'typebox';
import { getById } from '../builders.js';
import { Cents, event, IsoDate, mso, Nullable, operation, type Operation, RawResponse, type Role, StringEnum, Timestamp, Uuid } from '../core.js';

const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'Calendar month, YYYY-MM' });
const msoRoles: Role[] = [...mso];
/** Invoices: the MSO, and a practice's admins for their own practice's. */
const invoiceReaders: Role[] = [...mso, 'practice-admin'];

const feeBasisValues = ['percent-of-net-collections', 'per-seat-per-month', 'per-employee-per-month', 'flat-per-month', 'management-fee-percent', 'cost-plus-percent'] as const;
const modelValues = ['third-party', 'joint-venture', 'captive-pc'] as const;

export const FeeWarning = Type.Object({
  /** e.g. `fee-splitting-risk`, `no-hr-data`, `rerun-difference`, `venture-loss`. */
  code: Type.String(),
  message: Type.String(),
});
export type FeeWarning = Static<typeof FeeWarning>;

/**
 * One fee of the month: `amountCents` = `baseCents` × `quantity` × rate, rounded half up once.
 * Percentage fees: base = net collections, quantity 1, `rateBasisPoints` of it. Cost-plus: base = MSO
 * costs allocated to the practice, amount = base × (1 + rate). Per-seat and per-employee: base = the
 * unit price, quantity = devices or employees. Flat: base = amount, quantity 1.
 */
export const FeeLine = Type.Object({
  /** The service the fee pays for; null for an all-services management fee. */
  service: Nullable(Type.String()),
  basis: StringEnum(feeBasisValues),
  baseCents: Cents,
  quantity: Type.Integer({ minimum: 0 }),
  rateBasisPoints: Nullable(Type.Integer()),
  amountCents: Cents,
});
export type FeeLine = Static<typeof FeeLine>;

export const VentureProfit = Type.Object({
  feeIncomeCents: Cents,
  allocatedCostsCents: Cents,
  /** Fee income less allocated MSO costs (negative: a loss, which is not distributed). */
  profitCents: Cents,
  /** Each owner's distribution for the month (posted to distributions-payable in the MSO's books). */
  shares: Type.Array(Type.Object({ party: Type.String(), percent: Type.Number(), amountCents: Cents })),
});

export const FeeRunPractice = Type.Object({
  practiceId: Uuid,
  model: StringEnum(modelValues),
  /** The practice's fee for the whole month. */
  feeCents: Cents,
  lines: Type.Array(FeeLine),
  /** What earlier runs of the month invoiced. */
  previouslyInvoicedCents: Cents,
  /** What this run posted and invoiced: `feeCents − previouslyInvoicedCents` (negative: a credit note). */
  differenceCents: Cents,
  /** The invoice (or credit note) of this run; without a difference, the month's latest one (null: none yet). */
  invoiceId: Nullable(Uuid),
  /** Joint ventures: the venture's profit from the practice and each owner's share. */
  venture: Nullable(VentureProfit),
  warnings: Type.Array(FeeWarning),
});

export const ManagementFeeRun = Type.Object({
  id: Uuid,
  period: Month,
  /** Journal entries this run posted (0: the month was up to date). */
  entriesPosted: Type.Integer(),
  practices: Type.Array(FeeRunPractice),
  /** Warnings of the whole run (a practice's are on the practice). */
  warnings: Type.Array(FeeWarning),
  createdAt: Timestamp,
  createdBy: Type.String(),
});
export type ManagementFeeRun = Static<typeof ManagementFeeRun>;

export const runManagementFees = operation({
  service: 'finance',
  name: 'management-fee-run.create',
  summary:
    "Compute the month's management fee of every practice with an agreement in force, invoice it and post the mirrored intercompany entries (a rerun posts only the difference; 200 with the last run when nothing changed)",
  http: { method: 'POST', path: '/v1/finance/management-fees/runs', status: 201, statuses: [200] },
  scope: 'platform',
  roles: msoRoles,
  idempotency: 'required',
  input: Type.Object({ period: Month }, { additionalProperties: false }),
  output: ManagementFeeRun,
  errors: ['validation-failed', 'conflict', 'unprocessable'],
});

export const ManagementFeePreview = Type.Object({
  period: Month,
  /** What a run now would compute; `differenceCents` is what it would post. */
  practices: Type.Array(FeeRunPractice),
  warnings: Type.Array(FeeWarning),
});

export const previewManagementFees = operation({
  service: 'finance',
  name: 'management-fee-run.preview',
  summary: "What a fee run for the month would compute and post now, without posting anything",
  http: { method: 'GET', path: '/v1/finance/management-fees/preview' },
  scope: 'platform',
  roles: msoRoles,
  input: Type.Object({ period: Month }, { additionalProperties: false }),
  output: ManagementFeePreview,
  errors: ['validation-failed', 'unprocessable'],
});

export const listManagementFeeRuns = operation({
  service: 'finance',
  name: 'management-fee-run.list',
  summary: 'Fee runs, newest first',
  http: { method: 'GET', path: '/v1/finance/management-fees/runs' },
  scope: 'platform',
  roles: msoRoles,
  input: Type.Object({ period: Type.Optional(Month) }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(ManagementFeeRun) }),
  errors: ['validation-failed'],
});

export const getManagementFeeRun = getById({
  service: 'finance',
  name: 'management-fee-run.get',
  summary: 'A fee run as it answered',
  path: '/v1/finance/management-fees/runs/{id}',
  scope: 'platform',
  roles: msoRoles,
  output: ManagementFeeRun,
});

// ---- Invoices ------------------------------------------------------------------------------------

export const invoiceKinds = ['invoice', 'credit-note'] as const;

export const Invoice = Type.Object({
  id: Uuid,
  /** MSO-YYYY-MM-NNNNN, in issue order. */
  number: Type.String(),
  kind: StringEnum(invoiceKinds),
  practiceId: Uuid,
  practiceName: Type.String(),
  period: Month,
  runId: Uuid,
  issuedOn: IsoDate,
  dueOn: IsoDate,
  model: StringEnum(modelValues),
  /** The month's fee, line by line. */
  lines: Type.Array(FeeLine),
  feeCents: Cents,
  /** Invoiced for the month before this document. */
  previouslyInvoicedCents: Cents,
  /** This document's amount: the fee less what was invoiced before (negative on a credit note). */
  amountCents: Cents,
  warnings: Type.Array(FeeWarning),
  /** The mirrored entries: in the practice's books and in the MSO's. */
  practiceEntryId: Uuid,
  msoEntryId: Uuid,
  createdAt: Timestamp,
});
export type Invoice = Static<typeof Invoice>;

export const listInvoices = operation({
  service: 'finance',
  name: 'invoice.list',
  summary: "The MSO's invoices to practices, newest first (a practice admin sees its own practice's)",
  http: { method: 'GET', path: '/v1/finance/invoices' },
  scope: 'platform',
  roles: invoiceReaders,
  input: Type.Object(
    {
      /** MSO roles: only this practice's. A practice admin may name only its own. */
      practiceId: Type.Optional(Uuid),
      period: Type.Optional(Month),
    },
    { additionalProperties: false },
  ),
  output: Type.Object({ items: Type.Array(Invoice) }),
  errors: ['validation-failed', 'not-found'],
});

export const getInvoice = getById({
  service: 'finance',
  name: 'invoice.get',
  summary: 'An invoice or credit note',
  path: '/v1/finance/invoices/{id}',
  scope: 'platform',
  roles: invoiceReaders,
  output: Invoice,
});

export const getInvoicePdf = getById({
  service: 'finance',
  name: 'invoice.pdf',
  summary: 'An invoice or credit note as a PDF document',
  path: '/v1/finance/invoices/{id}/pdf',
  response: { mediaTypes: ['application/pdf'] },
  scope: 'platform',
  roles: invoiceReaders,
  output: RawResponse,
});

// ---- MSO expenses (cost base of cost-plus fees and joint-venture profit) --------------------------

export const Expense = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  date: IsoDate,
  amountCents: Cents,
  description: Type.String(),
  createdAt: Timestamp,
  createdBy: Type.String(),
});
export type Expense = Static<typeof Expense>;

export const recordExpense = operation({
  service: 'finance',
  name: 'expense.create',
  summary:
    "Enter an MSO expense incurred directly for a practice: the base of its cost-plus fee and part of a joint venture's allocated costs (an allocation record; the expense itself reaches the MSO's books through its own journal entry)",
  http: { method: 'POST', path: '/v1/finance/expenses', status: 201 },
  scope: 'platform',
  roles: msoRoles,
  idempotency: 'required',
  input: Type.Object(
    {
      practiceId: Uuid,
      date: IsoDate,
      amountCents: Type.Integer({ minimum: 1, description: 'Amount in integer cents' }),
      description: Type.String({ minLength: 1, maxLength: 500 }),
    },
    { additionalProperties: false },
  ),
  output: Expense,
  errors: ['validation-failed', 'not-found'],
});

export const listExpenses = operation({
  service: 'finance',
  name: 'expense.list',
  summary: 'MSO expenses entered for practices, newest first',
  http: { method: 'GET', path: '/v1/finance/expenses' },
  scope: 'platform',
  roles: msoRoles,
  input: Type.Object({ practiceId: Type.Optional(Uuid), period: Type.Optional(Month) }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(Expense) }),
  errors: ['validation-failed'],
});

// ---- Intercompany and consolidation ---------------------------------------------------------------

export const IntercompanyRow = Type.Object({
  practiceId: Uuid,
  /** The practice's `due-to-mso` balance (credit side positive). */
  dueToMsoCents: Cents,
  /** The MSO's `due-from-practice` balance for the practice (debit side positive). */
  dueFromPracticeCents: Cents,
  /** `dueFromPracticeCents − dueToMsoCents`: 0, since both sides post in one transaction. */
  differenceCents: Cents,
});

export const getIntercompany = operation({
  service: 'finance',
  name: 'intercompany.get',
  summary: "Each practice's due-to-mso beside the MSO's due-from-practice for it, at the end of the month (without period: to date)",
  http: { method: 'GET', path: '/v1/finance/intercompany' },
  scope: 'platform',
  roles: msoRoles,
  input: Type.Object({ period: Type.Optional(Month) }, { additionalProperties: false }),
  output: Type.Array(IntercompanyRow),
  errors: ['validation-failed'],
});

export const ConsolidatedAccount = Type.Object({
  key: Nullable(Type.String()),
  code: Type.String(),
  name: Type.String(),
  type: Type.String(),
  /** Σ over every entity, before eliminations. */
  debitCents: Cents,
  creditCents: Cents,
  /** Intercompany amounts taken out (positive: a debit balance removed). */
  eliminatedCents: Cents,
  /** After eliminations, positive on the account's normal side. */
  balanceCents: Cents,
});

export const Consolidated = Type.Object({
  /** Null: everything to date. */
  period: Nullable(Month),
  entities: Type.Integer(),
  accounts: Type.Array(ConsolidatedAccount),
  eliminations: Type.Array(
    Type.Object({
      /** What is eliminated against what, e.g. `due-from-practice / due-to-mso`. */
      pair: Type.String(),
      practiceId: Uuid,
      amountCents: Cents,
    }),
  ),
  totalDebitCents: Cents,
  totalCreditCents: Cents,
});
export type Consolidated = Static<typeof Consolidated>;

export const getConsolidated = operation({
  service: 'finance',
  name: 'consolidated.get',
  summary: 'Trial balance of the MSO and every practice together as at the end of the month (without period: to date), intercompany balances and fees eliminated',
  http: { method: 'GET', path: '/v1/finance/consolidated' },
  scope: 'platform',
  roles: msoRoles,
  input: Type.Object({ period: Type.Optional(Month) }, { additionalProperties: false }),
  output: Consolidated,
  errors: ['validation-failed'],
});

// ---- Events -------------------------------------------------------------------------------------

/** An invoice or credit note was issued to a practice (cents and ids only). */
export const invoiceIssued = event({
  type: 'finance.invoice.issued',
  data: Type.Object({
    invoiceId: Uuid,
    number: Type.String(),
    kind: StringEnum(invoiceKinds),
    practiceId: Uuid,
    period: Month,
    runId: Uuid,
    feeCents: Cents,
    amountCents: Cents,
    issuedOn: IsoDate,
    dueOn: IsoDate,
  }),
});

export const feeOperations: readonly Operation[] = [
  runManagementFees,
  previewManagementFees,
  listManagementFeeRuns,
  getManagementFeeRun,
  listInvoices,
  getInvoice,
  getInvoicePdf,
  recordExpense,
  listExpenses,
  getIntercompany,
  getConsolidated,
];
export const feeEvents = [invoiceIssued] as const;
