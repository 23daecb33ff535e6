// The key of the SSN hash (domain/people.ts), derived (HKDF-SHA256, its own label) from the
// deployment's MSO_IDEMPOTENCY_KEY, a secret every deployment already holds: the hash is useless to
// whoever has the database but not that secret. Rotating that secret changes every new hash, so
// people on file would no longer match: keep it, until HR has a key of its own.
import { hkdfSync } from 'node:crypto';

const DEVELOPMENT_SECRET = 'mso-hr-development-secret';
let cached: { secret: string; key: string } | undefined;

export function ssnKey(): string {
  const secret = process.env.MSO_IDEMPOTENCY_KEY || DEVELOPMENT_SECRET;
  if (cached?.secret !== secret) cached = { secret, key: Buffer.from(hkdfSync('sha256', secret, 'mso-hr', 'ssn-hash', 32)).toString('base64') };
  return cached.key;
}

export const ssnKeyIsSet = () => Boolean(process.env.MSO_IDEMPOTENCY_KEY);
