import { randomUUID } from 'node:crypto';
import type { Agreement, AgreementTerms, Fee, MsoModel, Practice } from '@mso/contracts/tenancy';
import { validNpi } from './npi.js';

/** What a test says about a practice; everything else gets a valid default. */
export interface PracticeSpec {
  /** Services in its agreement (default: the service under test). */
  services?: string[];
  terms?: AgreementTerms;
  model?: MsoModel;
  fees?: Fee[];
  state?: string;
  timeZone?: string;
  name?: string;
  /** Any other agreement field, as tenancy would send it. */
  agreement?: Partial<Agreement>;
}

let npiSeed = Math.floor(Math.random() * 100_000_000);

/** A practice as tenancy's `tenancy.practice.created` event carries it. */
export function practiceRecord(spec: PracticeSpec, defaults: { service: string; now: Date }): Practice {
  const id = randomUUID();
  const state = (spec.state ?? 'OH') as Practice['state'];
  const at = defaults.now.toISOString();
  const agreement = {
    id: randomUUID(),
    practiceId: id,
    version: 1,
    model: spec.model ?? 'third-party',
    services: (spec.services ?? [defaults.service]) as Agreement['services'],
    fees: spec.fees ?? [],
    ownership: [],
    terms: spec.terms ?? {},
    timeZone: spec.timeZone ?? 'America/New_York',
    state,
    effectiveFrom: at.slice(0, 10),
    effectiveTo: null,
    warnings: [],
    createdAt: at,
    ...spec.agreement,
  } as Agreement;
  return { id, name: spec.name ?? `Practice ${npiSeed}`, npi: validNpi(npiSeed++), taxId: '12-3456789', state, agreement, createdAt: at };
}

/** The next version of an agreement, as `tenancy.agreement.changed` carries it. */
export function nextAgreement(current: Agreement, change: Omit<PracticeSpec, 'name'>, now: Date): Agreement {
  return {
    ...current,
    id: randomUUID(),
    version: current.version + 1,
    ...(change.services ? { services: change.services as Agreement['services'] } : {}),
    ...(change.terms ? { terms: change.terms } : {}),
    ...(change.model ? { model: change.model } : {}),
    ...(change.fees ? { fees: change.fees } : {}),
    ...(change.state ? { state: change.state as Agreement['state'] } : {}),
    ...(change.timeZone ? { timeZone: change.timeZone } : {}),
    createdAt: now.toISOString(),
    ...change.agreement,
  };
}
