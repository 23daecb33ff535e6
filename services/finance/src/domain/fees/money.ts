// Cent arithmetic for fees: exact integer maths (BigInt where a product can pass 2^53), rounded once.

const BP = 10_000n;

/** `numerator / denominator` rounded half up (towards +∞ at exactly half), in integers. */
function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  // floor((2n + d) / 2d) with a floor that is right for negative numerators too.
  const n = 2n * numerator + denominator;
  const d = 2n * denominator;
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** `rateBasisPoints` (1250 = 12.5 %) of `baseCents`, rounded half up to the cent. */
export function percentOf(baseCents: number, rateBasisPoints: number): number {
  assertCents(baseCents, 'baseCents');
  if (!Number.isInteger(rateBasisPoints) || rateBasisPoints < 0) throw new RangeError(`rateBasisPoints must be a non-negative integer, not ${rateBasisPoints}`);
  return Number(divRoundHalfUp(BigInt(baseCents) * BigInt(rateBasisPoints), BP));
}

/** `baseCents` × (1 + rate): cost plus a markup of `rateBasisPoints`, rounded half up to the cent. */
export function costPlus(baseCents: number, rateBasisPoints: number): number {
  return percentOf(baseCents, BP_NUMBER + rateBasisPoints);
}
const BP_NUMBER = Number(BP);

/** A unit price times a count: exact, no rounding. */
export function times(unitCents: number, quantity: number): number {
  assertCents(unitCents, 'unitCents');
  if (!Number.isInteger(quantity) || quantity < 0) throw new RangeError(`quantity must be a non-negative integer, not ${quantity}`);
  const product = BigInt(unitCents) * BigInt(quantity);
  if (product > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount out of range');
  return Number(product);
}

/**
 * Splits `totalCents` by weights (e.g. ownership in hundredths of a percent) so that the parts add up
 * to the total exactly: each part is its exact share rounded down, and the cents left over go one each
 * to the parts with the largest remainders (the earlier part first on a tie).
 */
export function allocate(totalCents: number, weights: readonly number[]): number[] {
  assertCents(totalCents, 'totalCents');
  if (weights.length === 0) return [];
  if (weights.some((w) => !Number.isInteger(w) || w < 0)) throw new RangeError('weights must be non-negative integers');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new RangeError('weights must not all be zero');
  const sign = totalCents < 0 ? -1n : 1n;
  const total = BigInt(Math.abs(totalCents));
  const exact = weights.map((w) => total * BigInt(w));
  const parts = exact.map((e) => e / BigInt(sum));
  const remainders = exact.map((e, i) => ({ i, r: e % BigInt(sum) }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i]! += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}

function assertCents(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be integer cents, not ${value}`);
}
