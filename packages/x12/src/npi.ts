/**
 * Checks a National Provider Identifier: 10 digits whose last digit is the Luhn check digit
 * computed over the card-issuer prefix 80840 followed by the first nine digits.
 */
export function isValidNpi(npi: string): boolean {
  if (typeof npi !== 'string' || npi.length !== 10) return false;
  // the prefix 80840 contributes a constant 24 to the Luhn sum
  let sum = 24;
  for (let i = 0; i < 10; i++) {
    const c = npi.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    if (i === 9) break;
    // from the right of the 9 payload digits, every other digit starting with the rightmost is doubled
    if ((8 - i) % 2 === 0) {
      const d = c * 2;
      sum += d > 9 ? d - 9 : d;
    } else {
      sum += c;
    }
  }
  const check = (10 - (sum % 10)) % 10;
  return check === npi.charCodeAt(9) - 48;
}
