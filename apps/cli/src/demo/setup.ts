// Stage 1: the MSO signs three practices, one per model, each with its agreement and fees.
import type { Api } from './client.js';
import { day, type DemoContext, type DemoPractice, type PracticeKey } from './context.js';

interface PracticePlan {
  key: PracticeKey;
  name: string;
  npi: string;
  taxId: string;
  state: string;
  agreement: Record<string, unknown>;
}

const timelyFiling = { billing: { timelyFilingDays: 365 } };

/** The practices of the demo and their agreements (fees in cents and basis points). */
export const practicePlans: PracticePlan[] = [
  {
    key: 'thirdParty',
    name: 'Lakeside Family Medicine',
    npi: '1245319599',
    taxId: '31-4159265',
    state: 'OH',
    agreement: {
      model: 'third-party',
      services: ['billing', 'helpdesk'],
      fees: [
        { service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 600 },
        { service: 'helpdesk', basis: 'per-seat-per-month', amountCents: 45_00 },
      ],
      terms: timelyFiling,
      effectiveFrom: '2026-05-01',
    },
  },
  {
    key: 'jointVenture',
    name: 'Gulf Coast Orthopedics',
    npi: '1679576722',
    taxId: '59-2653589',
    state: 'FL',
    agreement: {
      model: 'joint-venture',
      services: ['billing', 'collections', 'hr', 'helpdesk', 'finance'],
      // A percentage of collections in Florida: the agreement carries a fee-splitting warning.
      fees: [
        { basis: 'management-fee-percent', rateBasisPoints: 800 },
        { service: 'finance', basis: 'flat-per-month', amountCents: 750_00 },
      ],
      ownership: [
        { party: 'Gulf Coast MSO Holdings', percent: 51 },
        { party: 'Gulf Coast physician partners', percent: 49 },
      ],
      terms: timelyFiling,
      effectiveFrom: '2026-05-01',
    },
  },
  {
    key: 'captive',
    name: 'Summit Primary Care, PC',
    npi: '1093817462',
    taxId: '74-1234567',
    state: 'TX',
    agreement: {
      model: 'captive-pc',
      services: ['billing', 'collections', 'hr', 'helpdesk', 'finance'],
      fees: [
        { basis: 'management-fee-percent', rateBasisPoints: 1000 },
        { service: 'hr', basis: 'per-employee-per-month', amountCents: 95_00 },
        { service: 'helpdesk', basis: 'per-seat-per-month', amountCents: 40_00 },
      ],
      terms: timelyFiling,
      effectiveFrom: '2026-05-01',
    },
  },
];

export function setup(ctx: DemoContext): void {
  ctx.on(day(1), () => signPractices(ctx, ctx.admin));
}

async function signPractices(ctx: DemoContext, admin: Api): Promise<void> {
  for (const plan of practicePlans) {
    const created = await admin.post('/v1/tenancy/practices', { name: plan.name, npi: plan.npi, taxId: plan.taxId, state: plan.state, agreement: plan.agreement });
    const key = (await admin.post(`/v1/tenancy/practices/${created.id}/api-keys`, { role: 'practice-admin', label: 'practice manager' })).key as string;
    const practice: DemoPractice = {
      key: plan.key,
      id: created.id,
      name: plan.name,
      npi: plan.npi,
      state: plan.state,
      model: created.agreement.model,
      services: created.agreement.services,
      api: admin.withKey(key),
      claims: new Map(),
      guarantors: [],
    };
    ctx.practices[plan.key] = practice;
    const warnings = (created.agreement.warnings as { code: string }[]).map((w) => w.code);
    ctx.progress(`setup: ${plan.name} (${plan.state}, ${practice.model}: ${practice.services.join(', ')})${warnings.length ? ` warnings: ${warnings.join(', ')}` : ''}`);
  }
}
