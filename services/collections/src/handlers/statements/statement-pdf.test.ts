import { describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import type { Statement } from '@mso/contracts/collections';
import { renderStatementPdf } from './statement-pdf.js';

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: true });
  return text;
}

const statement: Statement = {
  id: '0b9e7f3a-5d7e-4a51-9a53-2f0c8a7f1e11',
  practiceId: '6f1c2a4e-0000-4000-8000-000000000001',
  runId: null,
  guarantorId: '6f1c2a4e-0000-4000-8000-000000000002',
  kind: 'statement',
  statementDate: '2026-04-01',
  payByDate: '2026-04-22',
  paymentReference: '20260401-0B9E7F3A',
  practice: { name: 'Lakeside Family Medicine', address: { line1: '100 Shore Dr', city: 'Madison', state: 'WI', postalCode: '53703' }, phone: '6085550100' },
  guarantor: { name: 'Jordan Rivers', address: { line1: '12 Elm St', line2: 'Apt 3', city: 'Madison', state: 'WI', postalCode: '537041234' } },
  lines: [
    { claimId: 'a1', serviceDate: '2026-01-10', chargesCents: 25_000, insurancePaidCents: 15_000, adjustmentsCents: 4_000, patientResponsibilityCents: 6_000, paymentsCents: 1_000, writtenOffCents: 0, balanceCents: 5_000, firstStatedOn: '2026-02-05' },
    { claimId: 'b2', serviceDate: '2026-03-02', chargesCents: 12_345, insurancePaidCents: 8_000, adjustmentsCents: 1_345, patientResponsibilityCents: 3_000, paymentsCents: 0, writtenOffCents: 0, balanceCents: 3_000, firstStatedOn: '2026-04-01' },
  ],
  amountDueCents: 8_000,
  aging: { current: 3_000, days31to60: 5_000, days61to90: 0, days91to120: 0, over120: 0 },
  creditCents: 0,
  insurancePendingCents: 40_000,
  channel: 'mail',
  consent: true,
  timeZone: 'America/Chicago',
  delivery: 'sent',
  sentAt: '2026-04-01T11:00:00.000Z',
  queuedUntil: null,
  createdAt: '2026-04-01T11:00:00.000Z',
};

describe('statement PDF', () => {
  it('shows the practice, the guarantor, each visit, the amount due and the aging', async () => {
    const bytes = await renderStatementPdf(statement);
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const text = await pdfText(bytes);
    for (const expected of [
      'Lakeside Family Medicine',
      '100 Shore Dr',
      'Madison, WI 53703',
      'Jordan Rivers',
      '12 Elm St',
      'Madison, WI 53704-1234',
      '01/10/2026',
      '03/02/2026',
      '$250.00',
      '$123.45',
      '$150.00',
      'Amount due: $80.00',
      'Pay by: 04/22/2026',
      '20260401-0B9E7F3A',
      '0-30 days',
      '31-60 days',
      'Over 120 days',
      'Still with your insurance, not due now: $400.00 in charges',
    ])
      expect(text).toContain(expected);
    // The aging row: $30.00 current, $50.00 at 31-60, nothing older.
    expect(text).toMatch(/\$30\.00\s+\$50\.00\s+\$0\.00\s+\$0\.00\s+\$0\.00/);
  });

  it('titles a dunning notice as such', async () => {
    const text = await pdfText(await renderStatementPdf({ ...statement, kind: 'final-notice' }));
    expect(text).toContain('FINAL NOTICE');
    expect(text).toContain('referred to a collection agency');
  });
});
