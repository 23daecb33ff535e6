// Work queues (denials, missing ERAs) and revenue-cycle reports.
import type { Operation } from '../core.js';

export const workOperations: readonly Operation[] = [];
