import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Json } from './client.js';
import { MONTH, practiceList } from './context.js';
import { chartData, usd } from './report.js';
import { readSummary } from './summary.js';
import { runDemo, type DemoResult } from './run.js';

// The demo on the embedded platform (in-memory bus, PGlite), then its numbers checked against the API:
// every entity's books balance, each fee is its agreement's terms applied to the month's collections,
// and what the summary says is what the reports say.
const dir = mkdtempSync(join(tmpdir(), 'mso-demo-'));
let result: DemoResult;
let printed = '';

beforeAll(async () => {
  result = await runDemo({
    env: { MSO_DATA_DIR: join(dir, 'data'), MSO_IDEMPOTENCY_KEY: Buffer.alloc(32, 5).toString('base64') },
    port: 0,
    exit: false,
    adminKey: 'mso_admin_demo_test',
    outDir: join(dir, 'out'),
    out: (t) => {
      printed += t;
    },
  });
}, 600_000);
afterAll(async () => {
  await result?.platform?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Half-up rounding of basis points of an amount, in integer cents. */
const percentOf = (cents: number, bp: number) => Math.floor((cents * bp * 2 + 10_000) / 20_000);

describe('mso demo', () => {
  it('runs the month: every stage reports, and the platform stays up with the data', async () => {
    for (const stage of ['setup:', 'hr:', 'billing:', 'collections:', 'helpdesk:', 'month end:']) expect(printed).toContain(stage);
    expect(printed).toContain('replayed, posted once');
    expect(printed).toContain('fee-splitting-risk');
    expect(printed).toMatch(/The month ran in [0-9.]+ s/);
    expect((await result.ctx.admin.get('/v1/tenancy/practices')).items).toHaveLength(3);
  });

  it("balances every entity's trial balance, the month's and the consolidated books", async () => {
    const entities = (await result.ctx.admin.get('/v1/finance/entities')) as Json[];
    expect(entities.map((e) => e.entity).sort()).toEqual([...practiceList(result.ctx).map((p) => p.id), 'mso'].sort());
    for (const e of entities) {
      for (const period of ['', `&period=${MONTH}`]) {
        const tb = await result.ctx.admin.get(`/v1/finance/trial-balance?entity=${e.entity}${period}`);
        expect({ entity: e.name, debit: tb.totalDebitCents }).toEqual({ entity: e.name, debit: tb.totalCreditCents });
        expect(tb.totalDebitCents).toBeGreaterThan(0);
      }
    }
    const consolidated = await result.ctx.admin.get(`/v1/finance/consolidated?period=${MONTH}`);
    expect(consolidated.totalDebitCents).toBe(consolidated.totalCreditCents);
    const periods = (await result.ctx.admin.get(`/v1/finance/periods?entity=mso`)) as Json;
    expect(JSON.stringify(periods)).toContain('closed');
  });

  it("charges each practice its agreement's terms applied to the month's posted collections, devices and employees", async () => {
    const { admin } = result.ctx;
    const runs = (await admin.get(`/v1/finance/management-fees/runs?period=${MONTH}`)).items as Json[];
    for (const p of practiceList(result.ctx)) {
      const agreement = (await admin.get(`/v1/tenancy/practices/${p.id}`)).agreement;
      // Net collections from what billing and collections posted: the payers' claim payments (reversals
      // negative) less PLB recoupments (interest is not collections), plus the patients' payments.
      const remittances = await p.api.all('/v1/billing/remittances');
      const claimPayments = remittances.reduce((s: number, r: Json) => s + r.claimPaymentCents, 0);
      const recouped = remittances.flatMap((r: Json) => r.providerAdjustments).filter((a: Json) => a.reason !== 'L6').reduce((s: number, a: Json) => s + a.amountCents, 0);
      const patient = result.ctx.facts.paymentsByWeek.filter((f) => f.practice === p.key && f.source === 'patient').reduce((s, f) => s + f.amountCents, 0);
      const net = claimPayments - recouped + patient;
      const devices = (await p.api.all('/v1/helpdesk/assets')).filter((a: Json) => a.status !== 'retired').length;
      const people = p.services.includes('hr') ? await admin.all(`/v1/hr/people?employer=${p.id}`) : [];
      const employees = people
        .flatMap((x: Json) => x.employments)
        .filter((e: Json) => e.employer === p.id && e.startDate <= `${MONTH}-30` && (e.endDate === null || e.endDate >= `${MONTH}-01`)).length;
      const expected = (agreement.fees as Json[]).map((f) => {
        switch (f.basis) {
          case 'percent-of-net-collections':
          case 'management-fee-percent':
            return percentOf(Math.max(0, net), f.rateBasisPoints);
          case 'per-seat-per-month':
            return f.amountCents * devices;
          case 'per-employee-per-month':
            return f.amountCents * employees;
          case 'flat-per-month':
            return f.amountCents;
          default:
            throw new Error(`the demo's agreements use no ${f.basis} fee`);
        }
      });
      const fee = runs.flatMap((r) => r.practices).find((x: Json) => x.practiceId === p.id);
      expect({ practice: p.name, lines: fee.lines.map((l: Json) => l.amountCents) }).toEqual({ practice: p.name, lines: expected });
      expect(fee.feeCents).toBe(expected.reduce((s, x) => s + x, 0));
      expect(net).toBeGreaterThan(0);
    }
  });

  it("prints and reports the figures the reports APIs give", async () => {
    const again = await readSummary(result.ctx);
    expect(again).toEqual(result.summary);
    for (const p of result.summary.practices) {
      const practice = result.ctx.practices[p.key];
      const rc = await practice.api.get(`/v1/billing/reports/revenue-cycle?from=${MONTH}-01&to=${MONTH}-30`);
      expect({ days: p.daysInAr, clean: p.cleanClaimRatePercent, denials: p.denialRatePercent }).toEqual({ days: rc.daysInAr.days, clean: rc.cleanClaimRate.percent, denials: rc.denialRate.percent });
      if (p.patientAr) expect(p.patientAr.totalCents).toBe((await practice.api.get('/v1/collections/reports/aging')).totalCents);
      const pl = await result.ctx.admin.get(`/v1/finance/profit-and-loss?entity=${p.practiceId}&period=${MONTH}`);
      expect(p.profitAndLoss.netIncomeCents).toBe(pl.netIncomeCents);
      expect(p.managementFeeCents).toBeGreaterThan(0);
    }
    // The MSO's fee income is what the practices were charged.
    expect(result.summary.mso.feeIncomeCents).toBe(result.summary.practices.reduce((s, p) => s + p.managementFeeCents, 0));
    // One breach (the urgent ticket) shows in the joint venture's SLA compliance.
    expect(result.summary.practices.find((p) => p.key === 'jointVenture')!.sla.breached).toBeGreaterThan(0);

    const html = readFileSync(result.reportFile, 'utf8');
    for (const id of ['chart-aging', 'chart-collections', 'chart-denials', 'chart-sla', 'chart-fees']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('Chart.js');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const embedded = JSON.parse(/<script id="summary" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
    expect(embedded).toEqual(JSON.parse(JSON.stringify(result.summary)));
  });

  it('draws every chart of the report in headless Chromium, with the figures of the summary', async () => {
    const page = await openInChromium(result.reportFile);
    expect(page.errors).toEqual([]);
    const expected = chartData(result.summary);
    const dollars = (cents: number[]) => cents.map((c) => c / 100);
    const drawn = Object.fromEntries(page.charts.map((c) => [c.id, c]));
    expect(Object.keys(drawn).sort()).toEqual(['chart-aging', 'chart-collections', 'chart-denials', 'chart-fees', 'chart-sla']);
    for (const chart of page.charts) {
      // Drawn, not only declared: a canvas with a size and a share of painted pixels.
      expect({ id: chart.id, drawn: chart.width > 0 && chart.height > 0 && chart.paintedShare > 0.01 }).toEqual({ id: chart.id, drawn: true });
    }
    expect(drawn['chart-fees']!.datasets).toEqual([dollars(expected.fees.values)]);
    expect(drawn['chart-denials']!.datasets).toEqual([dollars(expected.denialReasons.values)]);
    expect(drawn['chart-collections']!.datasets).toEqual(expected.collectionsByWeek.series.map((x) => dollars(x.values)));
    expect(drawn['chart-sla']!.datasets).toEqual([expected.sla.firstResponse, expected.sla.resolution]);
    expect(drawn['chart-aging']!.datasets).toEqual(expected.aging.buckets.map((b) => dollars(expected.aging.values.map((v) => v[b]))));
    expect(expected.fees.values.every((v) => v > 0)).toBe(true);
    // The table a reader sees says what the summary says.
    for (const p of result.summary.practices) {
      expect(page.cells[p.key]).toEqual({
        collections: usd(p.collectionsCents),
        'patient-ar': p.patientAr ? usd(p.patientAr.totalCents) : 'n/a',
        fee: usd(p.managementFeeCents),
        'net-income': usd(p.profitAndLoss.netIncomeCents),
      });
    }
    expect(page.msoFeeIncome).toBe(usd(result.summary.mso.feeIncomeCents));
  }, 120_000);
});

interface RenderedReport {
  errors: string[];
  charts: { id: string; width: number; height: number; paintedShare: number; datasets: unknown[] }[];
  cells: Record<string, Record<string, string>>;
  msoFeeIncome: string | undefined;
}

/**
 * Opens the report from disk in Debian's Chromium (installed by the CI script; CHROMIUM_PATH points
 * elsewhere) and reads back what it drew. The flags keep Chromium off the network it cannot reach.
 */
async function openInChromium(file: string): Promise<RenderedReport> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.querySelectorAll('canvas').length > 0 && [...document.querySelectorAll('canvas')].every((c) => (globalThis as { Chart?: { getChart(c: unknown): unknown } }).Chart?.getChart(c)));
    const read = await page.evaluate(() => {
      const Chart = (globalThis as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: { data: unknown[] }[] } } } }).Chart;
      const charts = [...document.querySelectorAll('canvas')].map((canvas) => {
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        return { id: canvas.id, width: canvas.width, height: canvas.height, paintedShare: painted / (pixels.length / 4), datasets: Chart.getChart(canvas).data.datasets.map((d) => d.data) };
      });
      const cells: Record<string, Record<string, string>> = {};
      for (const row of document.querySelectorAll<HTMLElement>('#practices tr[data-practice]')) {
        cells[row.dataset.practice!] = Object.fromEntries([...row.querySelectorAll<HTMLElement>('td[data-field]')].map((td) => [td.dataset.field!, td.textContent!.trim()]));
      }
      return { charts, cells, msoFeeIncome: document.querySelector('[data-field="mso-fee-income"]')?.textContent?.trim() };
    });
    return { errors, ...read };
  } finally {
    await browser.close();
  }
}
