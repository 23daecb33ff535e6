// The chart of accounts every entity starts with: a medical-practice template. System accounts have
// stable keys the postings and reports use; the rest are ordinary accounts users may post to.
import { normalSideOf, type AccountType, type Side } from './ledger.js';

export const systemAccountKeys = [
  'cash',
  'era-clearing',
  'insurance-ar',
  'patient-ar',
  'due-from-practice',
  'refunds-payable',
  'due-to-mso',
  'distributions-payable',
  'accrued-payroll',
  'retained-earnings',
  'gross-charges',
  'contractual-allowance',
  'other-adjustments',
  'denials',
  'recoupments',
  'management-fee-income',
  'interest-income',
  'salaries',
  'payroll-taxes',
  'benefits',
  'management-fee-expense',
  'bad-debt',
  'administrative-write-offs',
] as const;
export type AccountKey = (typeof systemAccountKeys)[number];

export interface TemplateAccount {
  key: AccountKey | null;
  code: string;
  name: string;
  type: AccountType;
  normalSide: Side;
}

const a = (key: AccountKey | null, code: string, name: string, type: AccountType, normalSide: Side = normalSideOf[type]): TemplateAccount => ({ key, code, name, type, normalSide });

export const chartTemplate: readonly TemplateAccount[] = [
  a('cash', '1000', 'Cash - operating', 'asset'),
  a('era-clearing', '1050', 'Insurance payments in transit (ERA clearing)', 'asset'),
  a('insurance-ar', '1100', 'Accounts receivable - insurance', 'asset'),
  a('patient-ar', '1150', 'Accounts receivable - patients', 'asset'),
  a(null, '1200', 'Prepaid expenses', 'asset'),
  a('due-from-practice', '1300', 'Due from practices (intercompany)', 'asset'),
  a(null, '1500', 'Medical and office equipment', 'asset'),
  a(null, '1550', 'Accumulated depreciation', 'asset', 'credit'),
  a(null, '2000', 'Accounts payable', 'liability'),
  a('refunds-payable', '2100', 'Patient and payer refunds payable', 'liability'),
  a('due-to-mso', '2200', 'Due to MSO (intercompany)', 'liability'),
  a('distributions-payable', '2300', 'Distributions payable', 'liability'),
  a('accrued-payroll', '2400', 'Accrued payroll', 'liability'),
  a(null, '3000', 'Owner equity', 'equity'),
  a('retained-earnings', '3900', 'Retained earnings', 'equity'),
  a('gross-charges', '4000', 'Gross patient charges', 'revenue'),
  a('contractual-allowance', '4100', 'Contractual allowances', 'revenue', 'debit'),
  a('other-adjustments', '4150', 'Other payer adjustments', 'revenue', 'debit'),
  a('denials', '4200', 'Denials', 'revenue', 'debit'),
  a('recoupments', '4300', 'Payer recoupments', 'revenue', 'debit'),
  a('management-fee-income', '4500', 'Management fee income', 'revenue'),
  a('interest-income', '4800', 'Interest income (payer prompt-pay interest)', 'revenue'),
  a('salaries', '6000', 'Salaries and wages', 'expense'),
  a('payroll-taxes', '6100', 'Payroll taxes', 'expense'),
  a('benefits', '6200', 'Employee benefits', 'expense'),
  a(null, '6300', 'Rent and occupancy', 'expense'),
  a(null, '6400', 'Medical supplies', 'expense'),
  a('management-fee-expense', '6500', 'Management fee expense', 'expense'),
  a('bad-debt', '6600', 'Bad debt', 'expense'),
  a('administrative-write-offs', '6650', 'Administrative write-offs', 'expense'),
];

export const isAccountKey = (value: string): value is AccountKey => (systemAccountKeys as readonly string[]).includes(value);
