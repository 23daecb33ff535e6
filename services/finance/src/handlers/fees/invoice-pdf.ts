// An invoice as a one-page PDF (pdfkit, its built-in Helvetica: no font files to ship).
import PDFDocument from 'pdfkit';
import type { FeeLine, Invoice } from '@mso/contracts/finance';

const money = (cents: number) => {
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString('en-US');
  return `${cents < 0 ? '-' : ''}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
};

const basisLabel: Record<FeeLine['basis'], string> = {
  'percent-of-net-collections': 'Percent of net collections',
  'management-fee-percent': 'Management fee, percent of net collections',
  'cost-plus-percent': 'Cost plus',
  'per-seat-per-month': 'Per device per month',
  'per-employee-per-month': 'Per employee per month',
  'flat-per-month': 'Flat monthly fee',
};

/** How a line's amount came about, e.g. `6.50 % of $12,345.67` or `12 × $35.00`. */
export function lineDetail(line: FeeLine): string {
  const rate = line.rateBasisPoints === null ? '' : `${(line.rateBasisPoints / 100).toFixed(2)} %`;
  switch (line.basis) {
    case 'percent-of-net-collections':
    case 'management-fee-percent':
      return `${rate} of ${money(line.baseCents)}`;
    case 'cost-plus-percent':
      return `${money(line.baseCents)} costs + ${rate}`;
    case 'per-seat-per-month':
    case 'per-employee-per-month':
      return `${line.quantity} × ${money(line.baseCents)}`;
    case 'flat-per-month':
      return '';
  }
}

export function renderInvoicePdf(invoice: Invoice): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 54,
    info: { Title: `${invoice.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${invoice.number}`, Author: 'MSO', CreationDate: new Date(invoice.createdAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });

  const left = 54;
  const right = doc.page.width - 54;
  const amountX = right - 110;
  doc.font('Helvetica-Bold').fontSize(20).text(invoice.kind === 'invoice' ? 'INVOICE' : 'CREDIT NOTE', left, 54);
  doc.font('Helvetica').fontSize(10);
  doc.text(`Number: ${invoice.number}`, left, 84);
  doc.text(`Issued: ${invoice.issuedOn}    Due: ${invoice.dueOn}`);
  doc.text(`Period: ${invoice.period}    MSO model: ${invoice.model}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text('Bill to');
  doc.font('Helvetica').text(invoice.practiceName).text(`Practice ${invoice.practiceId}`);
  doc.moveDown();

  const row = (label: string, detail: string, amount: string, bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(label, left, y, { width: 220 });
    const afterLabel = doc.y;
    doc.text(detail, left + 230, y, { width: amountX - left - 240 });
    const afterDetail = doc.y;
    doc.text(amount, amountX, y, { width: right - amountX, align: 'right' });
    doc.y = Math.max(afterLabel, afterDetail, doc.y) + 4;
  };
  row('Fee', 'Basis', 'Amount', true);
  doc.moveTo(left, doc.y).lineTo(right, doc.y).stroke();
  doc.y += 4;
  for (const line of invoice.lines) row(`${basisLabel[line.basis]}${line.service ? ` (${line.service})` : ''}`, lineDetail(line), money(line.amountCents));
  doc.moveTo(left, doc.y).lineTo(right, doc.y).stroke();
  doc.y += 4;
  row(`Fee for ${invoice.period}`, '', money(invoice.feeCents), true);
  if (invoice.previouslyInvoicedCents !== 0) row('Less invoiced before', '', money(-invoice.previouslyInvoicedCents));
  row(invoice.amountCents < 0 ? 'Credit to the practice' : 'Amount due', '', money(invoice.amountCents), true);

  if (invoice.warnings.length) {
    doc.moveDown();
    doc.font('Helvetica-Bold').text('Notes');
    doc.font('Helvetica').fontSize(9);
    for (const w of invoice.warnings) doc.text(`${w.code}: ${w.message}`, { width: right - left });
  }
  doc.end();
  return done;
}
