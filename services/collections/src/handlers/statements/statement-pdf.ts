// A patient statement as a PDF (pdfkit, its built-in Helvetica: no font files to ship): the practice
// and where to pay, the guarantor, one row per claim, the amount due with its aging, pay-by date and
// payment reference. Rendered from the stored statement, so a reprint shows what was sent.
import PDFDocument from 'pdfkit';
import type { PostalAddress, Statement, StatementKind } from '@mso/contracts/collections';

export const money = (cents: number) => {
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  return `${cents < 0 ? '-' : ''}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
};

const heading: Record<StatementKind, string> = {
  statement: 'PATIENT STATEMENT',
  'reminder-1': 'PAYMENT REMINDER',
  'reminder-2': 'SECOND PAYMENT REMINDER',
  'final-notice': 'FINAL NOTICE',
};

const usDate = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const addressLines = (a: PostalAddress) => [a.line1, ...(a.line2 ? [a.line2] : []), `${a.city}, ${a.state} ${a.postalCode.length === 9 ? `${a.postalCode.slice(0, 5)}-${a.postalCode.slice(5)}` : a.postalCode}`];
const phone = (p: string) => `(${p.slice(0, 3)}) ${p.slice(3, 6)}-${p.slice(6)}`;

export function renderStatementPdf(s: Statement): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 48,
    info: { Title: `${heading[s.kind]} ${s.paymentReference}`, Author: s.practice.name, CreationDate: new Date(s.createdAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });

  const left = 48;
  const right = doc.page.width - 48;
  const width = right - left;

  // The practice (sender and payee) and the statement's key facts.
  doc.font('Helvetica-Bold').fontSize(14).text(s.practice.name, left, 48, { width: 300 });
  doc.font('Helvetica').fontSize(9);
  for (const line of addressLines(s.practice.address)) doc.text(line, { width: 300 });
  if (s.practice.phone) doc.text(`Billing questions: ${phone(s.practice.phone)}`, { width: 300 });
  const factsX = right - 200;
  doc.font('Helvetica-Bold').fontSize(12).text(heading[s.kind], factsX, 48, { width: 200, align: 'right' });
  doc.font('Helvetica').fontSize(9);
  doc.text(`Statement date: ${usDate(s.statementDate)}`, factsX, doc.y + 2, { width: 200, align: 'right' });
  doc.text(`Pay by: ${usDate(s.payByDate)}`, factsX, doc.y, { width: 200, align: 'right' });
  doc.text(`Payment reference: ${s.paymentReference}`, factsX, doc.y, { width: 200, align: 'right' });

  // The guarantor.
  doc.y = Math.max(doc.y, 130);
  doc.font('Helvetica-Bold').fontSize(10).text(s.guarantor.name, left, doc.y + 10);
  doc.font('Helvetica');
  if (s.guarantor.address) for (const line of addressLines(s.guarantor.address)) doc.text(line);
  doc.moveDown(1.5);

  // One row per claim.
  const cols = [
    { title: 'Date of service', w: 0.13 },
    { title: 'Charges', w: 0.12 },
    { title: 'Insurance paid', w: 0.13 },
    { title: 'Adjustments', w: 0.12 },
    { title: 'Your responsibility', w: 0.14 },
    { title: 'Payments', w: 0.11 },
    { title: 'Written off', w: 0.11 },
    { title: 'Balance', w: 0.14 },
  ];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    let x = left;
    let bottom = y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
    cells.forEach((cell, i) => {
      const w = cols[i]!.w * width;
      doc.text(cell, x, y, { width: w - 4, align: i === 0 ? 'left' : 'right' });
      bottom = Math.max(bottom, doc.y);
      x += w;
    });
    doc.y = bottom + 3;
  };
  row(cols.map((c) => c.title), true);
  doc.moveTo(left, doc.y).lineTo(right, doc.y).stroke();
  doc.y += 3;
  for (const l of s.lines) {
    if (doc.y > doc.page.height - 200) doc.addPage();
    row([usDate(l.serviceDate), money(l.chargesCents), money(l.insurancePaidCents), money(l.adjustmentsCents), money(l.patientResponsibilityCents), money(l.paymentsCents), money(l.writtenOffCents), money(l.balanceCents)]);
  }
  doc.moveTo(left, doc.y).lineTo(right, doc.y).stroke();
  doc.y += 6;

  // The amount due, its aging and how to pay.
  doc.font('Helvetica-Bold').fontSize(12).text(`Amount due: ${money(s.amountDueCents)}`, left, doc.y, { width, align: 'right' });
  doc.font('Helvetica').fontSize(9).text(`Please pay by ${usDate(s.payByDate)} and quote ${s.paymentReference}.`, { width, align: 'right' });
  if (s.creditCents > 0) doc.text(`Credit on your account (not applied): ${money(s.creditCents)}`, { width, align: 'right' });
  if (s.insurancePendingCents > 0) doc.text(`Still with your insurance, not due now: ${money(s.insurancePendingCents)} in charges`, { width, align: 'right' });
  doc.moveDown();
  const buckets: [string, number][] = [
    ['0-30 days', s.aging.current],
    ['31-60 days', s.aging.days31to60],
    ['61-90 days', s.aging.days61to90],
    ['91-120 days', s.aging.days91to120],
    ['Over 120 days', s.aging.over120],
  ];
  const bw = width / buckets.length;
  const by = doc.y;
  doc.font('Helvetica-Bold').fontSize(8.5);
  buckets.forEach(([label], i) => doc.text(label, left + i * bw, by, { width: bw - 4, align: 'center' }));
  const vy = doc.y + 2;
  doc.font('Helvetica');
  buckets.forEach(([, cents], i) => doc.text(money(cents), left + i * bw, vy, { width: bw - 4, align: 'center' }));
  doc.y = vy + 16;
  doc.fontSize(8).text(
    'Amounts your insurance is still processing are not shown as due. Aging counts from the date each visit first appeared on a statement.',
    left,
    doc.y,
    { width },
  );
  if (s.practice.paymentUrl) doc.text(`Pay online: ${s.practice.paymentUrl}`, { width });
  if (s.kind === 'final-notice') {
    doc.moveDown().font('Helvetica-Bold').fontSize(9).text('This is the final notice before the account may be referred to a collection agency.', { width });
  }
  doc.end();
  return done;
}
