/**
 * NPI check digit (Luhn over the number prefixed with the 80840 health-industry prefix).
 * Returns a message for a bad NPI, or null when it is valid.
 */
export function npiProblem(npi: string): string | null {
  if (!/^[0-9]{10}$/.test(npi)) return 'an NPI is exactly 10 digits';
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0 ? null : 'the NPI check digit is wrong';
}
