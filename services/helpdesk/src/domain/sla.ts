import type { BusinessCalendar } from '@mso/kit/calendar';
import type { SlaTargetName } from '@mso/contracts/helpdesk';

/**
 * A ticket's SLA clocks. Both targets (first response, resolution) run on one clock of business
 * time that starts when the ticket opens, pauses in the pending-* states and stops at resolution:
 *
 * - `consumedMs`: business time used in finished running stretches;
 * - `runningSince`: when the current stretch started (null while paused or stopped).
 *
 * A target is due when `consumed + business time since runningSince` reaches it, so every due time
 * can be recomputed from the state (after a resume, a priority change or a new calendar). A target is
 * breached when it is met after its due time, or when the clock runs past its due time unmet.
 */
export interface SlaState {
  firstResponseMs: number;
  resolutionMs: number;
  consumedMs: number;
  runningSince: Date | null;
  pausedAt: Date | null;
  firstResponse: TargetState;
  resolution: TargetState;
}

export interface TargetState {
  /** While unmet and running: the due instant. Frozen while paused and once met. */
  dueAt: Date;
  /** When the target counts as at risk (at-risk percent of it used). */
  warnAt: Date;
  metAt: Date | null;
  /** Business time used when met. */
  elapsedMs: number | null;
  breachedAt: Date | null;
  warnedAt: Date | null;
}

export interface Targets {
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

const MINUTE = 60_000;

function dueFor(targetMs: number, consumedMs: number, since: Date, cal: BusinessCalendar): Date {
  const remaining = targetMs - consumedMs;
  return remaining > 0 ? cal.addBusinessTime(since, remaining) : new Date(since.getTime());
}

function schedule(s: SlaState, target: TargetState, targetMs: number, cal: BusinessCalendar, atRiskPercent: number): TargetState {
  if (target.metAt || !s.runningSince) return target;
  return {
    ...target,
    dueAt: dueFor(targetMs, s.consumedMs, s.runningSince, cal),
    warnAt: dueFor(Math.floor((targetMs * atRiskPercent) / 100), s.consumedMs, s.runningSince, cal),
  };
}

function rescheduled(s: SlaState, cal: BusinessCalendar, atRiskPercent: number): SlaState {
  return {
    ...s,
    firstResponse: schedule(s, s.firstResponse, s.firstResponseMs, cal, atRiskPercent),
    resolution: schedule(s, s.resolution, s.resolutionMs, cal, atRiskPercent),
  };
}

/** Business time the clock has run by `now`. */
export function elapsedMs(s: SlaState, cal: BusinessCalendar, now: Date): number {
  return s.consumedMs + (s.runningSince ? Math.max(0, cal.businessTimeBetween(s.runningSince, now)) : 0);
}

/** Clocks of a ticket opened at `at`. */
export function startClock(targets: Targets, cal: BusinessCalendar, at: Date, atRiskPercent: number): SlaState {
  const blank: TargetState = { dueAt: at, warnAt: at, metAt: null, elapsedMs: null, breachedAt: null, warnedAt: null };
  return rescheduled(
    {
      firstResponseMs: targets.firstResponseMinutes * MINUTE,
      resolutionMs: targets.resolutionMinutes * MINUTE,
      consumedMs: 0,
      runningSince: at,
      pausedAt: null,
      firstResponse: blank,
      resolution: blank,
    },
    cal,
    atRiskPercent,
  );
}

/** Records a breach that the clock has already run past (the check job may not have seen it yet). */
function noteBreaches(s: SlaState, now: Date): SlaState {
  const note = (t: TargetState): TargetState => (!t.metAt && !t.breachedAt && s.runningSince && now > t.dueAt ? { ...t, breachedAt: t.dueAt } : t);
  return { ...s, firstResponse: note(s.firstResponse), resolution: note(s.resolution) };
}

/** Pending-* states: the clock stops counting. No-op when not running. */
export function pause(s: SlaState, cal: BusinessCalendar, now: Date): SlaState {
  if (!s.runningSince) return s;
  const noted = noteBreaches(s, now);
  return { ...noted, consumedMs: elapsedMs(s, cal, now), runningSince: null, pausedAt: now };
}

/** Back from pending-*, or reopened after resolution: the clock counts again from `now`. */
export function resume(s: SlaState, cal: BusinessCalendar, now: Date, atRiskPercent: number): SlaState {
  if (s.runningSince) return s;
  const reopened: SlaState = {
    ...s,
    runningSince: now,
    pausedAt: null,
    resolution: s.resolution.metAt ? { ...s.resolution, metAt: null, elapsedMs: null, warnedAt: null } : s.resolution,
  };
  return rescheduled(reopened, cal, atRiskPercent);
}

function meet(s: SlaState, target: TargetState, cal: BusinessCalendar, now: Date): TargetState {
  if (target.metAt) return target;
  const late = s.runningSince ? now > target.dueAt : false;
  return { ...target, metAt: now, elapsedMs: elapsedMs(s, cal, now), breachedAt: target.breachedAt ?? (late ? target.dueAt : null) };
}

/** The MSO's first public reply. Later replies change nothing. */
export function respond(s: SlaState, cal: BusinessCalendar, now: Date): SlaState {
  return { ...s, firstResponse: meet(s, s.firstResponse, cal, now) };
}

/** Resolved (or closed): both clocks stop; an unanswered ticket counts as answered by its resolution. */
export function stop(s: SlaState, cal: BusinessCalendar, now: Date): SlaState {
  if (!s.runningSince && s.resolution.metAt) return s;
  const firstResponse = meet(s, s.firstResponse, cal, now);
  const resolution = meet(s, s.resolution, cal, now);
  return { ...s, firstResponse, resolution, consumedMs: elapsedMs(s, cal, now), runningSince: null, pausedAt: null };
}

/** New targets (a priority change): unmet targets are due by the new target, time already used counts. */
export function retarget(s: SlaState, targets: Targets, cal: BusinessCalendar, now: Date, atRiskPercent: number): SlaState {
  const next: SlaState = {
    ...s,
    firstResponseMs: s.firstResponse.metAt ? s.firstResponseMs : targets.firstResponseMinutes * MINUTE,
    resolutionMs: s.resolution.metAt ? s.resolutionMs : targets.resolutionMinutes * MINUTE,
    firstResponse: s.firstResponse.metAt ? s.firstResponse : { ...s.firstResponse, warnedAt: null },
    resolution: s.resolution.metAt ? s.resolution : { ...s.resolution, warnedAt: null },
  };
  if (!next.runningSince) {
    // Paused: a target already used up is breached now.
    const used = (t: TargetState, ms: number): TargetState => (!t.metAt && !t.breachedAt && s.consumedMs >= ms ? { ...t, breachedAt: now } : t);
    return { ...next, firstResponse: used(next.firstResponse, next.firstResponseMs), resolution: used(next.resolution, next.resolutionMs) };
  }
  return rescheduled(next, cal, atRiskPercent);
}

/** The calendar changed (new working hours or holidays): due times of running clocks move. */
export function recalendar(s: SlaState, cal: BusinessCalendar, atRiskPercent: number): SlaState {
  return rescheduled(s, cal, atRiskPercent);
}

export interface TargetView {
  dueAt: Date | null;
  metAt: Date | null;
  breached: boolean;
  atRisk: boolean;
}

/** What the ticket shows at `now`. */
export function view(s: SlaState, now: Date): { clock: 'running' | 'paused' | 'stopped'; firstResponse: TargetView; resolution: TargetView } {
  const clock = s.runningSince ? 'running' : s.pausedAt ? 'paused' : 'stopped';
  const one = (t: TargetState): TargetView => {
    const breached = !!t.breachedAt || (!t.metAt && clock === 'running' && now > t.dueAt);
    return {
      dueAt: clock === 'paused' && !t.metAt ? null : t.dueAt,
      metAt: t.metAt,
      breached,
      atRisk: !breached && !t.metAt && clock === 'running' && now >= t.warnAt,
    };
  };
  return { clock, firstResponse: one(s.firstResponse), resolution: one(s.resolution) };
}

export interface Signal {
  target: SlaTargetName;
  kind: 'breached' | 'at-risk';
  dueAt: Date;
}

/**
 * What the scheduled check must announce at `now`: each target breaches once and warns at most
 * once (not at all when the check first sees it already breached).
 */
export function signals(s: SlaState, now: Date): Signal[] {
  if (!s.runningSince) return [];
  const out: Signal[] = [];
  for (const [name, t] of [['first-response', s.firstResponse], ['resolution', s.resolution]] as const) {
    if (t.metAt || t.breachedAt) continue;
    if (now > t.dueAt) out.push({ target: name, kind: 'breached', dueAt: t.dueAt });
    else if (!t.warnedAt && now >= t.warnAt) out.push({ target: name, kind: 'at-risk', dueAt: t.dueAt });
  }
  return out;
}

/** Applies announced signals to the state (breaches are dated at the due time). */
export function applySignals(s: SlaState, fired: Signal[], now: Date): SlaState {
  const apply = (name: SlaTargetName, t: TargetState): TargetState => {
    let next = t;
    for (const sig of fired) {
      if (sig.target !== name) continue;
      next = sig.kind === 'breached' ? { ...next, breachedAt: next.dueAt, warnedAt: next.warnedAt ?? now } : { ...next, warnedAt: now };
    }
    return next;
  };
  return { ...s, firstResponse: apply('first-response', s.firstResponse), resolution: apply('resolution', s.resolution) };
}

/** Business minutes left to a target at `now` (negative once overdue). */
export function remainingMinutes(s: SlaState, targetMs: number, cal: BusinessCalendar, now: Date): number {
  return Math.trunc((targetMs - elapsedMs(s, cal, now)) / MINUTE);
}

/**
 * When the scheduled check next has work for this ticket (a warning or a breach to announce), or
 * null when nothing is pending (paused, stopped, or every target met or already breached).
 */
export function nextCheckAt(s: SlaState): Date | null {
  if (!s.runningSince) return null;
  let next: number | null = null;
  for (const t of [s.firstResponse, s.resolution]) {
    if (t.metAt || t.breachedAt) continue;
    // A breach is "past due": the first millisecond after the due instant.
    const at = t.warnedAt ? t.dueAt.getTime() + 1 : Math.min(t.warnAt.getTime(), t.dueAt.getTime() + 1);
    next = next === null ? at : Math.min(next, at);
  }
  return next === null ? null : new Date(next);
}
