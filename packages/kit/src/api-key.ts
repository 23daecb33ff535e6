import { createHash, randomBytes } from 'node:crypto';

/** A new secret: `mso_` + 32 random bytes, base64url. Only its hash is stored. */
export function newApiKeySecret(): string {
  return `mso_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
