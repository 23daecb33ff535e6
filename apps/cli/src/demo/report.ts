// The month's report as one HTML file that opens from disk: the figures of the summary and Chart.js
// (inlined, so no network is needed) drawing AR aging per practice, collections by week, denial
// reasons, SLA compliance and fees by practice.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DemoSummary } from './summary.js';

const require = createRequire(import.meta.url);

function chartJs(): string {
  // The UMD build (a browser global, `Chart`) sits beside the package's main entry in dist/.
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Dollars as the report prints them (the browser check reads the same text back). */
export const usd = (cents: number) => `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pct = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(1)} %`);

/** The data each chart draws (also what a reader of the page can check against the summary). */
export function chartData(s: DemoSummary) {
  const names = s.practices.map((p) => p.name);
  const weeks = [...new Set(s.collectionsByWeek.map((w) => w.week))].sort();
  const reasons = new Map<string, number>();
  for (const p of s.practices) for (const r of p.denialReasons) reasons.set(`${r.reason} ${r.description}`.slice(0, 60), (reasons.get(`${r.reason} ${r.description}`.slice(0, 60)) ?? 0) + r.amountCents);
  return {
    aging: {
      labels: names,
      buckets: ['current', 'days31to60', 'days61to90', 'days91to120', 'over120'] as const,
      values: s.practices.map((p) => (p.patientAr ? p.patientAr.aging : { current: 0, days31to60: 0, days61to90: 0, days91to120: 0, over120: 0 })),
    },
    collectionsByWeek: {
      labels: weeks,
      series: s.practices.map((p) => ({ name: p.name, values: weeks.map((w) => s.collectionsByWeek.filter((x) => x.week === w && x.practice === p.key).reduce((t, x) => t + x.payerCents + x.patientCents, 0)) })),
    },
    denialReasons: { labels: [...reasons.keys()], values: [...reasons.values()] },
    sla: { labels: names, firstResponse: s.practices.map((p) => p.sla.firstResponsePercent), resolution: s.practices.map((p) => p.sla.resolutionPercent) },
    fees: { labels: names, values: s.practices.map((p) => p.managementFeeCents) },
  };
}

export function renderReport(s: DemoSummary): string {
  const data = chartData(s);
  const rows = s.practices
    .map(
      (p) => `<tr data-practice="${p.key}"><td>${escape(p.name)}</td><td>${p.state}</td><td>${p.model}</td><td class="n" data-field="collections">${usd(p.collectionsCents)}</td>` +
        `<td class="n">${p.daysInAr === null ? 'n/a' : p.daysInAr.toFixed(1)}</td><td class="n">${pct(p.cleanClaimRatePercent)}</td><td class="n">${pct(p.denialRatePercent)}</td>` +
        `<td class="n" data-field="patient-ar">${p.patientAr ? usd(p.patientAr.totalCents) : 'n/a'}</td><td class="n">${pct(p.sla.firstResponsePercent)}</td>` +
        `<td class="n" data-field="fee">${usd(p.managementFeeCents)}</td><td class="n" data-field="net-income">${usd(p.profitAndLoss.netIncomeCents)}</td><td>${escape(p.warnings.join(', '))}</td></tr>`,
    )
    .join('\n');
  const cents = (v: number) => v / 100;
  const colors = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed'];
  const charts = {
    aging: {
      type: 'bar',
      data: { labels: data.aging.labels, datasets: data.aging.buckets.map((b, i) => ({ label: b, backgroundColor: colors[i], data: data.aging.values.map((v) => cents(v[b])) })) },
      options: { plugins: { title: { display: true, text: 'Patient AR aging per practice ($)' } }, scales: { x: { stacked: true }, y: { stacked: true } } },
    },
    collections: {
      type: 'bar',
      data: { labels: data.collectionsByWeek.labels.map((w) => `week of ${w}`), datasets: data.collectionsByWeek.series.map((x, i) => ({ label: x.name, backgroundColor: colors[i], data: x.values.map(cents) })) },
      options: { plugins: { title: { display: true, text: 'Collections by week ($, payers and patients)' } } },
    },
    denials: {
      type: 'doughnut',
      data: { labels: data.denialReasons.labels, datasets: [{ data: data.denialReasons.values.map(cents), backgroundColor: colors }] },
      options: { plugins: { title: { display: true, text: 'Denied amounts by reason ($)' } } },
    },
    sla: {
      type: 'bar',
      data: {
        labels: data.sla.labels,
        datasets: [
          { label: 'first response met (%)', backgroundColor: colors[0], data: data.sla.firstResponse },
          { label: 'resolution met (%)', backgroundColor: colors[1], data: data.sla.resolution },
        ],
      },
      options: { plugins: { title: { display: true, text: 'Helpdesk SLA compliance' } }, scales: { y: { min: 0, max: 100 } } },
    },
    fees: {
      type: 'bar',
      data: { labels: data.fees.labels, datasets: [{ label: 'management fee ($)', backgroundColor: colors[2], data: data.fees.values.map(cents) }] },
      options: { plugins: { title: { display: true, text: 'Management fees by practice' } } },
    },
  };
  const json = JSON.stringify(charts).replace(/</g, '\\u003c');
  const summaryJson = JSON.stringify(s).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MSO month end ${s.period}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#111}h1{font-size:22px}table{border-collapse:collapse;font-size:13px;margin:12px 0}
td,th{border:1px solid #ddd;padding:4px 8px}td.n{text-align:right}th{background:#f3f4f6}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:12px}canvas{max-height:320px}
</style></head><body>
<h1>MSO month end: ${s.period}</h1>
<table id="practices"><thead><tr><th>Practice</th><th>State</th><th>Model</th><th>Collections</th><th>Days in AR</th><th>Clean claims</th><th>Denials</th><th>Patient AR</th><th>SLA (first response)</th><th>Management fee</th><th>Net income</th><th>Warnings</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<table id="mso"><tbody>
<tr><th>MSO fee income</th><td class="n" data-field="mso-fee-income">${usd(s.mso.feeIncomeCents)}</td><th>MSO net income</th><td class="n">${usd(s.mso.profitAndLoss.netIncomeCents)}</td></tr>
<tr><th>Consolidated debits</th><td class="n">${usd(s.mso.consolidated.debitCents)}</td><th>Consolidated credits</th><td class="n">${usd(s.mso.consolidated.creditCents)}</td></tr>
<tr><th>Intercompany eliminated</th><td class="n">${usd(s.mso.consolidated.eliminatedCents)}</td><th>Payroll cost</th><td class="n">${usd(s.mso.payrollCostCents)}</td></tr>
</tbody></table>
<div class="grid">
<div class="card"><canvas id="chart-aging"></canvas></div>
<div class="card"><canvas id="chart-collections"></canvas></div>
<div class="card"><canvas id="chart-denials"></canvas></div>
<div class="card"><canvas id="chart-sla"></canvas></div>
<div class="card"><canvas id="chart-fees"></canvas></div>
</div>
<script id="summary" type="application/json">${summaryJson}</script>
<script>${chartJs()}</script>
<script>
const charts = ${json};
for (const [name, config] of Object.entries(charts)) new Chart(document.getElementById('chart-' + name), { ...config, options: { animation: false, ...config.options } });
</script>
</body></html>
`;
}

export function writeReport(file: string, s: DemoSummary): void {
  writeFileSync(file, renderReport(s));
}
