import { isValidNpi } from '@mso/x12';

/** Why an NPI is refused, or null when it is valid (10 digits, Luhn check digit over 80840 + NPI). */
export function npiProblem(npi: string): string | null {
  if (!/^[0-9]{10}$/.test(npi)) return 'an NPI is exactly 10 digits';
  return isValidNpi(npi) ? null : 'the NPI check digit is wrong';
}
