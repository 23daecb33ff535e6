/**
 * The reading state of parse837P: where in the HL hierarchy and in which loop the reader is, and
 * the claim and line being built. The segment readers of parse837-parties.ts and parse837-claim.ts
 * work on it.
 */
import type { X12Issue } from './errors.js';
import type { SegmentReader } from './reader.js';
import type { Address, BillingProvider837, Claim837, Patient837, Payer837, Provider837, ServiceLine837, Subscriber837 } from './types837.js';

export interface BpCtx {
  provider: BillingProvider837;
  named: boolean;
  index: number;
}
export interface SubCtx {
  bp: BpCtx;
  subscriber: Subscriber837 | undefined;
  payer: Payer837 | undefined;
  payerResponsibility: string;
  claimFilingIndicator: string;
  relationship: string;
  groupNumber: string;
  groupName: string;
  index: number;
}
export interface PatCtx {
  sub: SubCtx;
  patient: Patient837 | undefined;
  relationship: string;
  index: number;
}

/** Which party the N3/N4/REF/PRV/DMG segments that follow belong to. */
export type Entity =
  | 'none'
  | 'header'
  | 'bp'
  | 'payto'
  | 'sub'
  | 'payer'
  | 'pat'
  | 'claim'
  | 'referring'
  | 'rendering'
  | 'facility'
  | 'line'
  | 'lineRendering';

/** Skipping the segments of a loop that is not mapped (its first segment produced a warning). */
export const Skip = {
  None: 0,
  /** an unmapped NM1 loop: ends at the next loop start */
  Loop: 1,
  /** 2320/2330 other subscriber loops: end at LX, CLM or HL */
  OtherPayer: 2,
  /** 2430/2440 line adjudication and forms: end at LX, CLM or HL */
  LineTail: 3,
  /** 2410 drug identification: ends at NM1, LX, CLM, HL */
  Drug: 4,
} as const;
export type Skip = (typeof Skip)[keyof typeof Skip];

export function emptyAddress(): Address {
  return { line1: '', city: '', state: '', postalCode: '' };
}

export class State837 {
  readonly claims: Claim837[] = [];
  readonly warnings: X12Issue[];
  control = '';
  hl = new Map<string, { level: string; ctx: BpCtx | SubCtx | PatCtx }>();
  bp: BpCtx | undefined;
  sub: SubCtx | undefined;
  pat: PatCtx | undefined;
  level = '';
  entity: Entity = 'none';
  address: Address | undefined;
  skip: Skip = Skip.None;
  claim: Claim837 | undefined;
  claimIndex = 0;
  lineIndexes: number[] = [];
  line: ServiceLine837 | undefined;
  lineProvider: Provider837 | undefined;
  /** Index of an LX whose SV1 has not been seen yet. */
  pendingLine: number | undefined;

  constructor(warnings: X12Issue[]) {
    this.warnings = warnings;
  }

  /** A new transaction set: nothing of the previous one carries over. */
  reset(controlNumber: string): void {
    this.control = controlNumber;
    this.hl = new Map();
    this.bp = undefined;
    this.sub = undefined;
    this.pat = undefined;
    this.level = '';
    this.entity = 'header';
    this.address = undefined;
    this.skip = Skip.None;
    this.claim = undefined;
    this.line = undefined;
  }

  unexpected(r: SegmentReader, where: string): void {
    r.warn('unexpected-segment', `segment ${r.id} is not expected ${where}; it is ignored`);
  }

  unmapped(r: SegmentReader, what: string, skip: Skip = Skip.None): void {
    r.warn('unmapped-segment', `${what} is not mapped by parse837P; its data is not in the result`);
    this.skip = skip;
  }
}
