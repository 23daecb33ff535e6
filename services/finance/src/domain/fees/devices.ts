// The per-seat fee's quantity: devices in a practice's helpdesk asset register during a month.

/** Asset kinds that are not devices (a licence is not a seat). */
export const nonDeviceKinds: readonly string[] = ['software-licence'];

export interface AssetChange {
  assetId: string;
  kind: string;
  change: 'registered' | 'retired';
  /** The practice's local calendar date of the change (`YYYY-MM-DD`). */
  on: string;
  /** The instant, to order changes of one day. */
  at: Date;
}

/**
 * Devices in the register on any day from `first` to `last` (inclusive). Changes may have arrived in
 * any order: each asset's are replayed by time. An asset whose first known change is a retirement was
 * registered before anything was heard of it. Its kind is the one of its latest registration.
 */
export function devicesActive(changes: readonly AssetChange[], first: string, last: string): number {
  const byAsset = new Map<string, AssetChange[]>();
  for (const c of changes) byAsset.set(c.assetId, [...(byAsset.get(c.assetId) ?? []), c]);
  let count = 0;
  for (const list of byAsset.values()) {
    list.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.change === b.change ? 0 : a.change === 'registered' ? -1 : 1));
    const registrations = list.filter((c) => c.change === 'registered');
    const kind = registrations.at(-1)?.kind ?? list.at(-1)!.kind;
    if (nonDeviceKinds.includes(kind)) continue;
    if (activeWithin(list, first, last)) count++;
  }
  return count;
}

function activeWithin(list: readonly AssetChange[], first: string, last: string): boolean {
  // Intervals [from, to] of local dates; from '' = before anything known, to null = still in use.
  let from: string | null = list[0]!.change === 'retired' ? '' : null;
  for (const c of list) {
    if (c.change === 'registered') {
      if (from === null) from = c.on;
    } else if (from !== null) {
      if (from <= last && c.on >= first) return true;
      from = null;
    }
  }
  return from !== null && from <= last;
}
