import { adjustmentGroupDescriptions, carcCodes, type CarcKind } from './carc.js';
import { rarcCodes } from './rarc.js';

export { adjustmentGroupDescriptions, carcCodes, rarcCodes, type CarcKind };

/** A code as a biller reads it: known codes carry the published description, unknown ones say so. */
export interface DescribedCode {
  code: string;
  description: string;
  known: boolean;
}

const UNKNOWN = 'Unknown code: not in the code table';

/** CARCs are sent without leading zeros; some payers pad them (`045`). */
const normalCarc = (code: string) => code.trim().toUpperCase().replace(/^0+(?=[0-9])/, '');

export function describeCarc(code: string): DescribedCode & { kind: CarcKind } {
  const entry = carcCodes.get(normalCarc(code));
  return entry ? { code, description: entry.description, known: true, kind: entry.kind } : { code, description: UNKNOWN, known: false, kind: 'denial' };
}

export function describeRarc(code: string): DescribedCode {
  const description = rarcCodes.get(code.trim().toUpperCase());
  return description ? { code, description, known: true } : { code, description: UNKNOWN, known: false };
}

export function describeGroup(group: string): string {
  return adjustmentGroupDescriptions[group] ?? UNKNOWN;
}

/** How billing treats an adjustment: the patient's share, an expected contractual write-down, or a denial to work. */
export function carcKind(code: string): CarcKind {
  return describeCarc(code).kind;
}
