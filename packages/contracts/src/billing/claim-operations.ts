// Encounters, charges and claims: build, scrub, submit, correct, void.
import type { Operation } from '../core.js';

export const claimOperations: readonly Operation[] = [];
