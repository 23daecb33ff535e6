// How money meets balances: a payment (or a write-off) pays the named claim first, then the oldest
// open balance; what is left of a payment is the guarantor's credit.

export interface OpenItem {
  claimId: string;
  openCents: number;
}

export interface Applied {
  applications: { claimId: string; amountCents: number }[];
  /** What no balance took. */
  leftCents: number;
}

/** `items` oldest first. */
export function applyAmount(amountCents: number, items: readonly OpenItem[], claimId?: string | null): Applied {
  if (!Number.isInteger(amountCents) || amountCents < 0) throw new Error('amount must be whole non-negative cents');
  const order = claimId ? [...items.filter((i) => i.claimId === claimId), ...items.filter((i) => i.claimId !== claimId)] : [...items];
  let left = amountCents;
  const applications: Applied['applications'] = [];
  for (const item of order) {
    if (left === 0) break;
    const take = Math.min(left, item.openCents);
    if (take <= 0) continue;
    applications.push({ claimId: item.claimId, amountCents: take });
    left -= take;
  }
  return { applications, leftCents: left };
}
