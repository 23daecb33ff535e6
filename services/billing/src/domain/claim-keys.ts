// Identifiers a claim carries on the wire, and what makes two claims the same claim.

/** Characters of a generated patient control number: no 0/O or 1/I, read over the phone without doubt. */
const PCN_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A new patient control number (CLM01, at most 20 characters): `prefix` + 10 random characters. */
export function newPatientControlNumber(random: (n: number) => Uint8Array, prefix = 'C'): string {
  const bytes = random(10);
  let out = prefix;
  for (const b of bytes) out += PCN_ALPHABET[b % PCN_ALPHABET.length];
  return out;
}

/** The REF*6R line item control number a payer echoes in its 835: the claim's PCN and the line number. */
export function lineControlNumber(patientControlNumber: string, lineNumber: number): string {
  // REF02 takes up to 50 characters; the PCN is at most 20.
  return `${patientControlNumber}-${lineNumber}`;
}

/**
 * Same patient, same rendering provider, same dates of service and same codes: the scrubber's
 * duplicate-claim rule looks claims up by this key. Codes are sorted so line order does not matter.
 */
export function duplicateKeyOf(claim: {
  patientId: string;
  renderingProviderId: string | null;
  billingProviderId: string;
  lines: readonly { procedureCode: string; modifiers: readonly string[]; serviceDate: string }[];
}): string {
  const codes = claim.lines.map((l) => `${l.serviceDate}:${l.procedureCode}${l.modifiers.length ? `-${[...l.modifiers].sort().join('-')}` : ''}`).sort();
  return [claim.patientId, claim.renderingProviderId ?? claim.billingProviderId, ...codes].join('|');
}
