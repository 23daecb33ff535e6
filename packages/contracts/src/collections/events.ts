import Type from 'typebox';
import { Cents, event, IsoDate, StringEnum, Uuid } from '../core.js';

// Collections' events: ids and cents only, never PHI. Finance books them (cash / patient AR, refunds
// payable, bad debt).

export const paymentMethods = ['card', 'cash', 'check', 'online'] as const;
export const writeOffReasons = ['small-balance', 'hardship', 'bad-debt', 'agency-recovery'] as const;

const Application = Type.Object({ claimId: Uuid, amountCents: Cents });

/** A patient payment: `applications` say which claims' patient balances it paid; the rest is a credit. */
export const paymentReceived = event({
  type: 'collections.payment.received',
  data: Type.Object({
    paymentId: Uuid,
    guarantorId: Uuid,
    amountCents: Cents,
    method: StringEnum(paymentMethods),
    /** The business date of the payment (finance books it on it). */
    date: IsoDate,
    applications: Type.Array(Application),
  }),
});

/** Money given back to a guarantor (an overpayment's credit, or a payment returned). */
export const paymentRefunded = event({
  type: 'collections.payment.refunded',
  data: Type.Object({ refundId: Uuid, paymentId: Type.Union([Uuid, Type.Null()]), guarantorId: Uuid, amountCents: Cents, date: IsoDate }),
});

/**
 * A patient balance written off; `agency-recovery` carries a negative amount: money an agency recovered
 * reverses that much of an earlier bad-debt write-off.
 */
export const balanceWrittenOff = event({
  type: 'collections.balance.written-off',
  data: Type.Object({
    writeOffId: Uuid,
    guarantorId: Uuid,
    claimId: Type.Union([Uuid, Type.Null()]),
    amountCents: Cents,
    reason: StringEnum(writeOffReasons),
    date: IsoDate,
  }),
});

export const collectionsEvents = [paymentReceived, paymentRefunded, balanceWrittenOff] as const;
