// 835 remittance posting, the unmatched-remittance queue, manual (paper EOB) posting.
import type { Operation } from '../core.js';

export const remittanceOperations: readonly Operation[] = [];
