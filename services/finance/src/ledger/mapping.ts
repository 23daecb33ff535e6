// Postings from other services' events: one row per event type. Adding an event to the books is a
// row here (its date, memo and lines); the consumer that books every row is the same (consumers/events.ts),
// one per producing service.
// Amounts may be negative (billing's reversals carry negated amounts): a negative line posts on the
// other side, and a line of zero is left out.
import { claimAdjudicated, claimDenied, claimSubmitted, claimWrittenOff, remittancePosted } from '@mso/contracts/billing';
import { balanceWrittenOff, paymentReceived, paymentRefunded } from '@mso/contracts/collections';
import { payrollPosted } from '@mso/contracts/hr';
import type { DataOf, EventDef, EventEnvelope } from '@mso/contracts';
import type { AccountKey } from '../domain/chart.js';
import type { Entity } from './entities.js';
import type { EntryLineInput } from './post.js';

/** An account and ref whose net booked so far a row's lines depend on. */
export interface BookedRead {
  account: AccountKey;
  ref: string;
}

/** What a row may ask of the books while it builds its lines: the net booked on an account for a ref (one of its `reads`). */
export interface Booked {
  /** Σ credits − Σ debits (credit-normal view) posted so far on `account` with `ref`, the events before this one included. */
  creditNet(account: AccountKey, ref: string): number;
}

export interface PostingRule<E extends EventDef = EventDef> {
  event: E;
  /** Whose books: default the event's practice (its envelope's `tenantid`). */
  entity?(data: DataOf<E>): Entity;
  /** The business date the entry takes (the source's date). */
  date(data: DataOf<E>, envelope: EventEnvelope<DataOf<E>>): string;
  memo(data: DataOf<E>): string;
  /** What `lines` reads of the books: read for a whole batch of events in one query. */
  reads?(data: DataOf<E>): BookedRead[];
  /** The lines; none (or all zero) posts nothing. */
  lines(data: DataOf<E>, booked: Booked): EntryLineInput[];
}

const rule = <E extends EventDef>(event: E, r: Omit<PostingRule<E>, 'event'>): PostingRule => ({ event, ...r }) as unknown as PostingRule;

/** Dr `debit` / Cr `credit` for `cents` (negative: the other way), about `ref`. */
function move(debit: AccountKey, credit: AccountKey, cents: number, ref: string, flow?: { debit?: EntryLineInput['flow']; credit?: EntryLineInput['flow'] }): EntryLineInput[] {
  return [
    { account: debit, debitCents: cents, ref, ...(flow?.debit ? { flow: flow.debit } : {}) },
    { account: credit, creditCents: cents, ref, ...(flow?.credit ? { flow: flow.credit } : {}) },
  ];
}

/** CARC groups other than contractual (CO) and patient responsibility (PR, booked as patient AR). */
const adjustmentAccount = (group: string): AccountKey => (group === 'CO' ? 'contractual-allowance' : 'other-adjustments');
/** PLB03-1: L6 is interest the payer adds; the rest (WO, 72, FB, J1, ...) takes money back. */
export const plbAccount = (reason: string): AccountKey => (reason === 'L6' ? 'interest-income' : 'recoupments');
/** A written-off balance: bad debt when the reason says so, else an administrative write-off. */
export const writeOffAccount = (reason: string): AccountKey => (/bad[-_ ]?debt|collection|uncollect/i.test(reason) ? 'bad-debt' : 'administrative-write-offs');
/**
 * A patient balance collections wrote off: bad debt (and an agency's recovery, negative, which reverses
 * it); small-balance and hardship write-offs are administrative, on the same account as billing's
 * administrative write-offs of a claim, so one kind of write-off is in one place whichever service made it.
 */
export const patientWriteOffAccount = (reason: string): AccountKey => (reason === 'bad-debt' || reason === 'agency-recovery' ? 'bad-debt' : 'administrative-write-offs');

const sum = (items: readonly { amountCents: number }[]) => items.reduce((s, i) => s + i.amountCents, 0);

export const postingRules: readonly PostingRule[] = [
  // The charge: Dr insurance AR / Cr gross charges on the submission date. A replacement (7) books the
  // difference to its new charge, a void (8) takes the charge back; a repeated original (1) books nothing.
  rule(claimSubmitted, {
    date: (d) => d.submittedOn,
    memo: (d) => `Claim ${d.claimId} submitted (frequency ${d.frequencyCode})`,
    reads: (d) => [{ account: 'gross-charges', ref: d.claimId }],
    lines: (d, booked) => {
      const before = booked.creditNet('gross-charges', d.claimId);
      const target = d.frequencyCode === '8' ? 0 : d.frequencyCode === '1' && before !== 0 ? before : d.chargeCents;
      return move('insurance-ar', 'gross-charges', target - before, d.claimId);
    },
  }),
  // One CLP (or paper EOB): adjustments off insurance AR (CO to contractual allowance, other groups to
  // other adjustments), patient responsibility moved to patient AR. The claim payment leaves insurance
  // AR here, per claim, into ERA clearing, which the remittance's cash clears; a manual EOB brings its cash itself.
  rule(claimAdjudicated, {
    date: (d) => d.paymentDate,
    memo: (d) => `Claim ${d.claimId} ${d.reversal ? 'reversal' : 'adjudication'}${d.remittanceId ? ` (remittance ${d.remittanceId})` : ' (manual EOB)'}`,
    lines: (d) => [
      ...move(d.remittanceId ? 'era-clearing' : 'cash', 'insurance-ar', d.paidCents, d.claimId, { credit: 'claim-payment' }),
      ...d.adjustments.filter((a) => a.group !== 'PR').flatMap((a) => move(adjustmentAccount(a.group), 'insurance-ar', a.amountCents, d.claimId)),
      ...move('patient-ar', 'insurance-ar', d.patientResponsibility.reduce((s, p) => s + p.amountCents, 0), d.claimId),
    ],
  }),
  // The ERA's money: Dr cash BPR02, Cr ERA clearing Σ CLP04, PLB items on their accounts (positive: taken
  // from the payment), so cash moves by exactly BPR02.
  rule(remittancePosted, {
    date: (d) => d.paymentDate,
    memo: (d) => `Remittance ${d.traceNumber}`,
    lines: (d) => [
      { account: 'cash', debitCents: d.paymentAmountCents, ref: d.remittanceId },
      { account: 'era-clearing', creditCents: d.claimPaymentCents, ref: d.remittanceId },
      ...d.providerAdjustments.map((p): EntryLineInput => ({
        account: plbAccount(p.reason),
        debitCents: p.amountCents,
        ref: p.reference ?? d.remittanceId,
        memo: `PLB ${p.reason}`,
        ...(plbAccount(p.reason) === 'recoupments' ? { flow: 'recoupment' as const } : {}),
      })),
    ],
  }),
  // A denial's adjustment was booked with its adjudication; here it moves to denials (reporting), AR
  // untouched, on the adjudication's date. A reversal's negated denial moves it back.
  rule(claimDenied, {
    date: (d) => d.deniedOn,
    memo: (d) => `Claim ${d.claimId} ${d.amountCents < 0 ? 'denial lifted' : 'denied'} (${d.reason})`,
    // A patient-responsibility (PR) part is the patient's to pay, not written down: nothing to move.
    lines: (d) => (d.reason.startsWith('PR') ? [] : move('denials', adjustmentAccount(d.reason.slice(0, 2)), d.amountCents, d.claimId)),
  }),
  rule(claimWrittenOff, {
    date: (d) => d.writtenOffOn,
    memo: (d) => `Claim ${d.claimId} written off (${d.reason})`,
    lines: (d) => move(writeOffAccount(d.reason), 'insurance-ar', d.amountCents, d.claimId),
  }),

  // ---- collections ----------------------------------------------------------------------------
  // A patient payment: Dr cash for the whole amount; Cr patient AR for the part applied to each claim.
  // The rest is a credit the practice holds for the guarantor until it is refunded: Cr refunds payable,
  // a liability (the money is the patient's), not a negative patient AR, so that AR stays per claim and
  // ages cleanly. Both credits are patient payments in net collections; a refund takes its part out again.
  rule(paymentReceived, {
    date: (d) => d.date,
    memo: (d) => `Patient payment ${d.paymentId} (${d.method})`,
    lines: (d) => [
      { account: 'cash', debitCents: d.amountCents, ref: d.paymentId },
      ...d.applications.map((a): EntryLineInput => ({ account: 'patient-ar', creditCents: a.amountCents, ref: a.claimId, flow: 'patient-payment' })),
      { account: 'refunds-payable', creditCents: d.amountCents - sum(d.applications), ref: d.paymentId, flow: 'patient-payment' },
    ],
  }),
  // Money given back to the guarantor: Dr refunds payable / Cr cash, less in net collections.
  rule(paymentRefunded, {
    date: (d) => d.date,
    memo: (d) => `Patient refund ${d.refundId}${d.paymentId ? ` of payment ${d.paymentId}` : ''}`,
    lines: (d) => move('refunds-payable', 'cash', d.amountCents, d.paymentId ?? d.refundId, { debit: 'refund' }),
  }),
  // A patient balance written off: Dr bad debt or administrative write-offs / Cr patient AR (of the claim
  // when collections names one, else of the guarantor). An agency's recovery is negative: the bad debt
  // is reversed and the balance owed again (the money then arrives as a payment).
  rule(balanceWrittenOff, {
    date: (d) => d.date,
    memo: (d) => `Patient balance ${d.amountCents < 0 ? 'write-off reversed' : 'written off'} (${d.reason})${d.claimId ? ` on claim ${d.claimId}` : ''}`,
    lines: (d) => move(patientWriteOffAccount(d.reason), 'patient-ar', d.amountCents, d.claimId ?? d.guarantorId),
  }),

  // ---- hr -------------------------------------------------------------------------------------
  // A payroll run's totals in the employer's books (the MSO's or a practice's), on the period's last
  // day: Dr salaries (gross), payroll taxes and benefits (the employer's) / Cr accrued payroll. The run
  // is what the period cost; the money leaves later, net of withholdings, through the payroll
  // provider, to the tax authorities and the benefit carriers, which finance does not hear of: the
  // entry recording that payment clears accrued payroll (a credit to cash here would claim the money
  // left on the period's last day). The allocations of MSO staff cost go to the fee base
  // (handlers/fees/staff.ts), not to these books.
  rule(payrollPosted, {
    entity: (d) => d.employer,
    date: (d) => d.periodEnd,
    memo: (d) => `Payroll ${d.periodStart} to ${d.periodEnd} (run ${d.runId})`,
    lines: (d) => [
      { account: 'salaries', debitCents: d.grossCents, ref: d.runId },
      { account: 'payroll-taxes', debitCents: d.employerTaxCents, ref: d.runId },
      { account: 'benefits', debitCents: d.benefitsCents, ref: d.runId },
      { account: 'accrued-payroll', creditCents: d.grossCents + d.employerTaxCents + d.benefitsCents, ref: d.runId },
    ],
  }),
];
