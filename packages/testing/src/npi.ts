import { isValidNpi } from '@mso/x12';

/** NPIs with a valid check digit, for tests that onboard several practices. */
export function validNpi(seed: number): string {
  const base = String(100_000_000 + (seed % 900_000_000)).slice(0, 9);
  for (let check = 0; check <= 9; check++) if (isValidNpi(`${base}${check}`)) return `${base}${check}`;
  throw new Error('unreachable: one check digit always fits');
}
