import type { ScrubFinding } from '@mso/contracts/billing';
import type { ScrubInput, ScrubRule } from './input.js';
import { scrubRules } from './rules.js';

export * from './input.js';
export { ICD10_EFFECTIVE, MAX_LINES, scrubRules } from './rules.js';

/** Every finding of every rule, errors first, in table order. */
export function scrub(input: ScrubInput, rules: readonly ScrubRule[] = scrubRules): ScrubFinding[] {
  const findings = rules.flatMap((rule) => rule.check(input).map((issue) => ({ field: issue.field, code: rule.code, severity: rule.severity, message: issue.message })));
  return [...findings.filter((f) => f.severity === 'error'), ...findings.filter((f) => f.severity === 'warning')];
}

export const hasErrors = (findings: readonly ScrubFinding[]) => findings.some((f) => f.severity === 'error');

/** The payer's own limit, else the agreement's for that payer, else the agreement's general one. */
export function timelyFilingDaysFor(payer: { id: string; timelyFilingDays: number | null } | null, terms: { timelyFilingDays?: number | undefined; timelyFilingDaysByPayer?: Record<string, number> | undefined } | undefined): number | null {
  if (payer?.timelyFilingDays) return payer.timelyFilingDays;
  if (payer && terms?.timelyFilingDaysByPayer?.[payer.id]) return terms.timelyFilingDaysByPayer[payer.id]!;
  return terms?.timelyFilingDays ?? null;
}
