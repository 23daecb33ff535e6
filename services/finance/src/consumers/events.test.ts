import { describe, expect, it } from 'vitest';
import { claimAdjudicated, claimSubmitted } from '@mso/contracts/billing';
import type { EventEnvelope } from '@mso/contracts';
import { postingRules } from '../ledger/mapping.js';
import { entriesOf, eventKey, readKey, type GatheredEvent } from './events.js';

// A batch's entries are built as posting its events one by one would build them: a submission reads
// what the events before it in the batch booked for its claim, read from the books once per batch.
const practice = crypto.randomUUID();
const claim = { claimId: crypto.randomUUID(), patientId: crypto.randomUUID(), payerId: crypto.randomUUID() };
const ruleOf = (type: string) => postingRules.find((r) => r.event.type === type)!;
const envelope = (type: string, data: unknown): EventEnvelope => ({ specversion: '1.0', id: crypto.randomUUID(), source: 'mso/billing', type, time: '2026-02-10T10:00:00Z', datacontenttype: 'application/json', dataschemaversion: 1, tenantid: practice, data });
const submission = (chargeCents: number, frequencyCode: string): GatheredEvent => ({
  rule: ruleOf(claimSubmitted.type),
  entity: practice,
  event: envelope(claimSubmitted.type, { ...claim, renderingProviderNpi: null, serviceDate: '2026-02-01', submittedOn: '2026-02-03', chargeCents, frequencyCode }),
});
const charge = (entry: { lines: { account: string; debitCents?: number; creditCents?: number }[] }) => entry.lines.find((l) => l.account === 'gross-charges')!.creditCents;

describe('entries of a batch of events', () => {
  it('books an original, its repeat, a replacement and a void in one batch as one by one', () => {
    const batch = [submission(10_000, '1'), submission(10_000, '1'), submission(12_500, '7'), submission(12_500, '8')];
    const entries = entriesOf(batch, { nets: new Map(), posted: new Set() });
    // The repeated original books nothing; the replacement books its difference; the void takes the charge back.
    expect(entries.map((e) => [e.idempotencyKey, charge(e)])).toEqual([
      [eventKey(batch[0]!.event), 10_000],
      [eventKey(batch[2]!.event), 2_500],
      [eventKey(batch[3]!.event), -12_500],
    ]);
  });

  it('starts from what the books held and leaves out entries posted before', () => {
    const replaced = submission(9_000, '7');
    const posted = submission(10_000, '1');
    const entries = entriesOf([posted, replaced], { nets: new Map([[readKey('gross-charges', claim.claimId), 10_000]]), posted: new Set([eventKey(posted.event)]) });
    expect(entries.map((e) => [e.idempotencyKey, charge(e)])).toEqual([[eventKey(replaced.event), -1_000]]);
  });

  it('reads nothing for rows that do not read the books, and leaves out an entry with nothing to book', () => {
    const adjudication: GatheredEvent = {
      rule: ruleOf(claimAdjudicated.type),
      entity: practice,
      event: envelope(claimAdjudicated.type, { ...claim, remittanceId: crypto.randomUUID(), adjudicationId: crypto.randomUUID(), paymentDate: '2026-02-20', paidCents: 0, adjustments: [], patientResponsibility: [], lines: [], reversal: false }),
    };
    expect(ruleOf(claimAdjudicated.type).reads).toBeUndefined();
    expect(entriesOf([adjudication], { nets: new Map(), posted: new Set() })).toEqual([]);
  });
});
