import { hash, randomBytes } from 'node:crypto';

/** A new secret: `mso_` + 32 random bytes, base64url. Only its hash is stored. */
export function newApiKeySecret(): string {
  return `mso_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(secret: string): string {
  // One-shot `hash`: no Hash object per call (the gateway hashes the bearer key of every request).
  return hash('sha256', secret, 'hex');
}
