import { createHash } from 'node:crypto';

/**
 * A UUID derived from its parts (SHA-256, laid out as an RFC 9562 version 8 UUID). Use it as the id
 * of an event that announces a fact, e.g. `stableId(ticketId, 'breached', dueAt)`: announcing the
 * same fact again yields the same id, so the outbox keeps one row and the bus dedupes the publish.
 */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
