// 837P batches out, 999/277CA acknowledgments in, 837P imports from EHRs.
import type { Operation } from '../core.js';

export const ediOperations: readonly Operation[] = [];
