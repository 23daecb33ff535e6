// States whose fee-splitting rules make a management fee computed as a percentage of the practice's
// collections risky. Data, not code: a state is added as a row.
import type { FeeBasis } from '@mso/contracts/tenancy';

export interface FeeSplittingRule {
  state: string;
  /** Where the restriction comes from, for the accountant and counsel. */
  authority: string;
}

export const feeSplittingRiskStates: readonly FeeSplittingRule[] = [
  { state: 'FL', authority: 'Fla. Stat. § 458.331(1)(i); Board of Medicine declaratory statements on percentage-based management fees' },
  { state: 'NY', authority: 'N.Y. Educ. Law § 6530(19); 8 NYCRR § 29.1(b)(4)' },
];

/** The fee bases that take a percentage of what the practice collects. */
export const percentageOfCollectionsBases: readonly FeeBasis[] = ['percent-of-net-collections', 'management-fee-percent'];

export interface FeeWarning {
  code: string;
  message: string;
}

/** A `fee-splitting-risk` warning when a percentage-of-collections fee applies in a listed state; else none. */
export function feeSplittingWarnings(state: string, bases: readonly FeeBasis[]): FeeWarning[] {
  const rule = feeSplittingRiskStates.find((r) => r.state === state);
  const risky = [...new Set(bases.filter((b) => percentageOfCollectionsBases.includes(b)))];
  if (!rule || risky.length === 0) return [];
  return [
    {
      code: 'fee-splitting-risk',
      message: `${state} restricts fee splitting (${rule.authority}): a fee computed as a percentage of collections (${risky.join(', ')}) may be an unlawful fee split; consider a fixed or cost-based fee and have counsel review the agreement`,
    },
  ];
}
