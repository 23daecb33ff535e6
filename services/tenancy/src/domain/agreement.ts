import { businessServices, type BusinessService } from '@mso/contracts';
import type { AgreementInput, MsoModel } from '@mso/contracts/tenancy';
import { isKnownTimeZone } from './time-zone.js';

export interface FieldIssue {
  path: string;
  message: string;
}

export interface AgreementCheck {
  errors: FieldIssue[];
  warnings: { code: string; message: string }[];
}

/**
 * States where a percentage-of-collections fee paid to a management company risks the state's
 * fee-splitting prohibition (advisory: counsel decides; the platform warns).
 */
export const feeSplittingRiskStates = new Set(['FL', 'NY', 'CA', 'TX', 'IL']);

export const modelRules: Record<MsoModel, { description: string; rules: string[] }> = {
  'third-party': {
    description: 'The practice buys some services and pays per service',
    rules: ['at least one service', 'fees per service: % of net collections (billing, collections), per seat or per employee per month (helpdesk, hr), flat (finance)'],
  },
  'joint-venture': {
    description: 'The MSO is co-owned; fees as agreed plus a profit split by ownership',
    rules: ['at least one service', 'ownership shares are given and sum to exactly 100 %'],
  },
  'captive-pc': {
    description: 'The MSO runs all operations of a friendly PC for a management fee',
    rules: ['all five services', 'a management fee (% of collections, cost-plus or fixed)'],
  },
};

const percentBases = new Set(['percent-of-net-collections', 'management-fee-percent', 'cost-plus-percent']);

/** Checks an agreement against its model's rules. Pure: paths are relative to `prefix`. */
export function checkAgreement(input: AgreementInput, practiceState: string, prefix = ''): AgreementCheck {
  const errors: FieldIssue[] = [];
  const warnings: AgreementCheck['warnings'] = [];
  const at = (p: string) => `${prefix}${p}`;

  const seen = new Set<string>();
  input.services.forEach((service, i) => {
    if (!(businessServices as readonly string[]).includes(service)) {
      errors.push({ path: at(`/services/${i}`), message: `unknown service "${service}"; known: ${businessServices.join(', ')}` });
    } else if (seen.has(service)) {
      errors.push({ path: at(`/services/${i}`), message: `service "${service}" is listed twice` });
    }
    seen.add(service);
  });

  switch (input.model) {
    case 'third-party':
      if (input.services.length === 0) errors.push({ path: at('/services'), message: 'a third-party agreement buys at least one service' });
      break;
    case 'joint-venture': {
      if (input.services.length === 0) errors.push({ path: at('/services'), message: 'a joint-venture agreement covers at least one service' });
      const shares = input.ownership ?? [];
      if (shares.length === 0) {
        errors.push({ path: at('/ownership'), message: 'a joint-venture agreement needs ownership shares' });
      } else {
        // Sum in hundredths of a percent: integers, so 33.33 + 33.33 + 33.34 is exactly 100.
        const total = shares.reduce((sum, s) => sum + Math.round(s.percent * 100), 0);
        if (total !== 10_000) errors.push({ path: at('/ownership'), message: `ownership shares sum to ${total / 100} %, not 100 %` });
      }
      break;
    }
    case 'captive-pc': {
      const missing = businessServices.filter((s) => !input.services.includes(s));
      if (missing.length) errors.push({ path: at('/services'), message: `a captive-pc agreement includes all five services; missing: ${missing.join(', ')}` });
      break;
    }
  }
  if (input.model !== 'joint-venture' && input.ownership?.length) {
    errors.push({ path: at('/ownership'), message: 'ownership shares apply only to joint-venture agreements' });
  }

  (input.fees ?? []).forEach((fee, i) => {
    if (fee.service && !input.services.includes(fee.service)) {
      errors.push({ path: at(`/fees/${i}/service`), message: `fee for "${fee.service}", which the agreement does not include` });
    }
    const percent = percentBases.has(fee.basis);
    if (percent && fee.rateBasisPoints === undefined) errors.push({ path: at(`/fees/${i}/rateBasisPoints`), message: `a ${fee.basis} fee needs rateBasisPoints` });
    if (!percent && fee.amountCents === undefined) errors.push({ path: at(`/fees/${i}/amountCents`), message: `a ${fee.basis} fee needs amountCents` });
    if (percent && fee.basis !== 'cost-plus-percent' && feeSplittingRiskStates.has(practiceState)) {
      warnings.push({
        code: 'fee-splitting-risk',
        message: `a percentage-of-collections fee in ${practiceState} may breach the state's fee-splitting law; review with counsel`,
      });
    }
  });

  if (input.timeZone !== undefined && !isKnownTimeZone(input.timeZone)) {
    errors.push({ path: at('/timeZone'), message: `unknown time zone "${input.timeZone}"; use an IANA name such as America/Chicago` });
  }
  if (input.effectiveFrom && input.effectiveTo && input.effectiveTo < input.effectiveFrom) {
    errors.push({ path: at('/effectiveTo'), message: 'effectiveTo is before effectiveFrom' });
  }
  return { errors, warnings };
}

export function servicesOf(input: AgreementInput): BusinessService[] {
  return [...new Set(input.services)] as BusinessService[];
}

