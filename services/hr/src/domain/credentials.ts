// Pure rules for credentials: which need what, when they expire, which notices are due.
import type { CredentialKind } from '@mso/contracts/hr';
import { invalid } from './problems.js';

/** Days before an expiry at which `hr.credential.expiring` goes out; 0 is the day it expires. */
export const NOTICE_THRESHOLDS = [90, 60, 30, 7] as const;
export const EXPIRED = 0;

export const CAQH_ATTESTATION_DAYS = 120;
export const RECREDENTIALING_MONTHS = 36;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `date` plus `days` calendar days (negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** `date` plus `months` calendar months, clamped to the month's last day (2026-01-31 + 1 → 2026-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, last))}`;
}

export interface CredentialFields {
  kind: CredentialKind;
  state?: string | null | undefined;
  number?: string | null | undefined;
  issuer?: string | null | undefined;
  carrier?: string | null | undefined;
  limits?: { perClaimCents: number; aggregateCents: number } | null | undefined;
  issuedOn: string;
  expiresOn?: string | null | undefined;
}

/**
 * The expiry a credential has: given for licences, DEA and malpractice (required), optional for board
 * certifications (some are lifetime), and due from the attestation or completion date for CAQH
 * (120 days) and recredentialing (36 months). Checks each kind's required fields.
 */
export function expiryOf(c: CredentialFields): string | null {
  const need = (field: keyof CredentialFields, value: unknown) => {
    if (value === undefined || value === null) throw invalid(`/${field}`, `is required for a ${c.kind}`);
  };
  switch (c.kind) {
    case 'state-licence':
    case 'dea':
      need('state', c.state);
      need('number', c.number);
      need('expiresOn', c.expiresOn);
      break;
    case 'malpractice':
      need('carrier', c.carrier);
      need('limits', c.limits);
      need('expiresOn', c.expiresOn);
      break;
    case 'board-certification':
      need('issuer', c.issuer);
      break;
    case 'caqh-attestation':
      return addDays(c.issuedOn, CAQH_ATTESTATION_DAYS);
    case 'recredentialing':
      return addMonths(c.issuedOn, RECREDENTIALING_MONTHS);
  }
  const expiresOn = c.expiresOn ?? null;
  if (expiresOn !== null && expiresOn < c.issuedOn) throw invalid('/expiresOn', 'is before the issue date');
  return expiresOn;
}

/**
 * The notice thresholds a credential expiring on `expiresOn` has reached on `today` (its practice's
 * local date), the tightest last: 45 days before → [90, 60]; on or after the day → [..., 7, 0].
 */
export function reachedThresholds(expiresOn: string, today: string): number[] {
  const reached: number[] = NOTICE_THRESHOLDS.filter((days) => today >= addDays(expiresOn, -days));
  if (today >= expiresOn) reached.push(EXPIRED);
  return reached;
}
