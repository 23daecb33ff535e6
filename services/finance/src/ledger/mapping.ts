// Postings from other services' events: one row per event type. Adding an event to the books is a
// row here (its date, memo and lines); the consumer that books every row is the same (consumers/events.ts).
// Amounts may be negative (billing's reversals carry negated amounts): a negative line posts on the
// other side, and a line of zero is left out.
import { claimAdjudicated, claimDenied, claimSubmitted, claimWrittenOff, remittancePosted } from '@mso/contracts/billing';
import type { DataOf, EventDef, EventEnvelope } from '@mso/contracts';
import type { AccountKey } from '../domain/chart.js';
import type { EntryLineInput } from './post.js';

/** What a row may ask of the books while it builds its lines: the net booked on an account for a ref. */
export interface Booked {
  /** Σ credits − Σ debits (credit-normal view) posted so far on `account` with `ref`. */
  creditNet(account: AccountKey, ref: string): Promise<number>;
}

export interface PostingRule<E extends EventDef = EventDef> {
  event: E;
  /** The business date the entry takes (the source's date). */
  date(data: DataOf<E>, envelope: EventEnvelope<DataOf<E>>): string;
  memo(data: DataOf<E>): string;
  /** The lines; none (or all zero) posts nothing. */
  lines(data: DataOf<E>, booked: Booked): EntryLineInput[] | Promise<EntryLineInput[]>;
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

export const postingRules: readonly PostingRule[] = [
  // The charge: Dr insurance AR / Cr gross charges on the submission date. A replacement (7) books the
  // difference to its new charge, a void (8) takes the charge back; a repeated original (1) books nothing.
  rule(claimSubmitted, {
    date: (d) => d.submittedOn,
    memo: (d) => `Claim ${d.claimId} submitted (frequency ${d.frequencyCode})`,
    lines: async (d, booked) => {
      const before = await booked.creditNet('gross-charges', d.claimId);
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
];
