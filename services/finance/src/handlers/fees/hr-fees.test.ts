import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAdjudicated } from '@mso/contracts/billing';
import { getTrialBalance, recordExpense, runManagementFees, type ManagementFeeRun } from '@mso/contracts/finance';
import { employeeHired, employeeTerminated, payrollPosted } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { finance } from '../../service.js';

// HR's events in the books and in the fees: payroll totals booked to the employer's books, employees
// counted per practice for per-employee fees, MSO staff cost allocated by payroll in the cost-plus base
// and in a joint venture's allocated costs; every amount worked out by hand below.
let t: TestService;
let clinic: string; // third party: per-employee fee
let captive: string; // captive PC: cost plus 10 %
let venture: string; // joint venture: 10 % of collections, profit split 50/50

const mso = { role: 'mso-admin' as const };
const practiceOf = (r: ManagementFeeRun, id: string) => r.practices.find((p) => p.practiceId === id)!;
const tb = async (entity: string) => Object.fromEntries((await t.call(getTrialBalance, { entity }, mso)).accounts.map((a) => [a.key ?? a.code, a.balanceCents]));

const hire = (practiceId: string, startDate: string, employeeId = randomUUID()) =>
  t.deliver(employeeHired, { employeeId, practiceId, displayName: 'New hire', jobTitle: 'Medical assistant', startDate, systems: ['ehr'] }, { practiceId }).then(() => employeeId);
const terminate = (practiceId: string, employeeId: string, lastDay: string) => t.deliver(employeeTerminated, { employeeId, practiceId, displayName: 'Leaver', lastDay, systems: ['ehr'] }, { practiceId });

interface Run {
  employer: string;
  periodStart: string;
  periodEnd: string;
  grossCents: number;
  employerTaxCents: number;
  benefitsCents: number;
  allocations: { practiceId: string; costCents: number }[];
}
const payroll = (run: Run, id?: string) => t.deliver(payrollPosted, { runId: randomUUID(), ...run }, { ...(run.employer === 'mso' ? {} : { practiceId: run.employer }), ...(id ? { id } : {}) });

beforeAll(async () => {
  t = await testService(finance, { clock: '2026-02-01T12:00:00Z' });
  clinic = await t.practice({ model: 'third-party', state: 'OH', services: ['hr', 'finance'], fees: [{ service: 'hr', basis: 'per-employee-per-month', amountCents: 20_00 }] });
  captive = await t.practice({ model: 'captive-pc', state: 'TX', services: ['hr', 'finance'], fees: [{ basis: 'cost-plus-percent', rateBasisPoints: 1000 }] });
  venture = await t.practice({
    model: 'joint-venture',
    state: 'OH',
    services: ['billing', 'finance'],
    fees: [{ service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 1000 }],
    agreement: { ownership: [{ party: 'MSO Holdings LLC', percent: 50 }, { party: 'Physician partners', percent: 50 }] },
  });

  t.clock.set('2026-04-06T12:00:00Z');
  // The clinic's employments in March: hired in January; hired on March 31; ended on March 1 (worked
  // that day); a termination heard of before its hire (ended March 15). Not in March: hired April 1,
  // ended February 28, and the captive's own hire.
  const january = await hire(clinic, '2026-01-10');
  await hire(clinic, '2026-01-10', january); // redelivered under another event id: the same employment
  await hire(clinic, '2026-03-31');
  await hire(clinic, '2026-04-01');
  await terminate(clinic, await hire(clinic, '2025-06-01'), '2026-02-28');
  await terminate(clinic, await hire(clinic, '2025-06-01'), '2026-03-01');
  const late = randomUUID();
  await terminate(clinic, late, '2026-03-15');
  await hire(clinic, '2025-01-01', late);
  await hire(captive, '2026-02-01');

  // MSO payroll: two semi-monthly runs in March and one ending in April, allocating shared staff.
  const firstHalf = randomUUID();
  const march1: Run = { employer: 'mso', periodStart: '2026-03-01', periodEnd: '2026-03-15', grossCents: 8_000_00, employerTaxCents: 612_00, benefitsCents: 400_00, allocations: [{ practiceId: captive, costCents: 2_500_55 }, { practiceId: venture, costCents: 400_00 }] };
  await payroll(march1, firstHalf);
  await payroll(march1, firstHalf); // redelivered
  await payroll({ employer: 'mso', periodStart: '2026-03-16', periodEnd: '2026-03-31', grossCents: 8_000_00, employerTaxCents: 612_00, benefitsCents: 400_00, allocations: [{ practiceId: captive, costCents: 3_000_00 }, { practiceId: clinic, costCents: 1_000_00 }] });
  await payroll({ employer: 'mso', periodStart: '2026-04-01', periodEnd: '2026-04-15', grossCents: 8_000_00, employerTaxCents: 612_00, benefitsCents: 400_00, allocations: [{ practiceId: captive, costCents: 9_999_99 }] });
  // The clinic's own payroll: its books, no allocations.
  await payroll({ employer: clinic, periodStart: '2026-03-01', periodEnd: '2026-03-31', grossCents: 20_000_00, employerTaxCents: 1_530_00, benefitsCents: 1_000_00, allocations: [] });

  // The venture collected $10,000.00 in March; the captive's direct MSO expense was $1,000.00.
  await t.deliver(
    claimAdjudicated,
    { claimId: randomUUID(), remittanceId: null, adjudicationId: randomUUID(), patientId: randomUUID(), payerId: randomUUID(), paymentDate: '2026-03-10', paidCents: 10_000_00, adjustments: [], patientResponsibility: [], lines: [], reversal: false },
    { practiceId: venture },
  );
  await t.call(recordExpense, { practiceId: captive, date: '2026-03-20', amountCents: 1_000_00, description: 'Front office supplies' }, { ...mso, idempotencyKey: randomUUID() });
  // PGlite's start-up and three practices' events: seconds alone, over a minute beside the fault run of `pnpm test`.
}, 180_000);
afterAll(async () => {
  await t?.close();
});

describe('payroll in the books', () => {
  it("books each run's totals once to its employer: salaries, payroll taxes and benefits against accrued payroll", async () => {
    // The MSO: three runs of $8,000.00 gross, $612.00 taxes, $400.00 benefits (the first delivered twice).
    const books = await tb('mso');
    expect(books).toMatchObject({ salaries: 24_000_00, 'payroll-taxes': 1_836_00, benefits: 1_200_00, 'accrued-payroll': 27_036_00 });
    // The clinic's own payroll in its own books.
    expect(await tb(clinic)).toMatchObject({ salaries: 20_000_00, 'payroll-taxes': 1_530_00, benefits: 1_000_00, 'accrued-payroll': 22_530_00 });
    // An allocation is no entry in the practice's books: the fee charges for it.
    expect((await tb(captive))['salaries']).toBe(0);
  });
});

describe('a March fee run with HR data', () => {
  let run: ManagementFeeRun;
  beforeAll(async () => {
    run = (await t.callForReply(runManagementFees, { period: '2026-03' }, { ...mso, idempotencyKey: randomUUID() })).output;
  });

  it('counts the employees active in the month for the per-employee fee', () => {
    // January's hire, March 31's hire, the one who left March 1, the one who left March 15: 4 × $20.00 = $80.00.
    expect(practiceOf(run, clinic)).toMatchObject({
      feeCents: 80_00,
      lines: [{ service: 'hr', basis: 'per-employee-per-month', baseCents: 20_00, quantity: 4, rateBasisPoints: null, amountCents: 80_00 }],
      warnings: [],
    });
  });

  it('adds the MSO staff cost allocated by payroll to the cost-plus base', () => {
    // $1,000.00 direct + $2,500.55 + $3,000.00 allocated (April's run is April's) = $6,500.55 × 1.10 = $7,150.605 → $7,150.61.
    expect(practiceOf(run, captive)).toMatchObject({
      feeCents: 7_150_61,
      lines: [{ basis: 'cost-plus-percent', baseCents: 6_500_55, quantity: 1, rateBasisPoints: 1000, amountCents: 7_150_61 }],
      warnings: [],
    });
  });

  it("counts the allocated staff cost in a joint venture's profit", () => {
    // 10 % × $10,000.00 = $1,000.00 fee income − $400.00 allocated staff cost = $600.00, $300.00 to each owner.
    expect(practiceOf(run, venture)).toMatchObject({
      feeCents: 1_000_00,
      venture: { feeIncomeCents: 1_000_00, allocatedCostsCents: 400_00, profitCents: 600_00, shares: [{ amountCents: 300_00 }, { amountCents: 300_00 }] },
    });
    expect(practiceOf(run, venture).warnings.map((w) => w.code)).not.toContain('no-hr-data');
  });
});
