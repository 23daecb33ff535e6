// Which claim line each service line (SVC) of a remittance pays: pure, no I/O.

export interface MatchableLine {
  id: string;
  lineNumber: number;
  procedureCode: string;
  modifiers: readonly string[];
  serviceDate: string;
  lineControlNumber: string;
}

export interface MatchableService {
  procedure: { code: string; modifiers: readonly string[] };
  /** SVC06: the procedure as billed, when the payer paid another code. */
  originalProcedure?: { code: string; modifiers: readonly string[] } | undefined;
  serviceDate?: string | undefined;
  /** REF*6R, echoed from the claim's line. */
  lineControlNumber?: string | undefined;
  /** Set by a manual posting that names the line itself. */
  lineId?: string | undefined;
}

export interface LineMatchWarning {
  code: 'line-matched-without-modifiers' | 'line-matched-by-original-procedure' | 'line-not-matched';
  message: string;
}

export interface LineMatches {
  /** The claim line of each service, in service order; null when none fits. */
  lineIds: (string | null)[];
  warnings: LineMatchWarning[];
}

const sameModifiers = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
const upper = (s: string) => s.trim().toUpperCase();

/**
 * Matches each service to one claim line, each line used at most once, by the first rule that finds
 * one: the line named (manual posting); REF*6R = the line control number; the same procedure code,
 * modifiers and date; the same code and date with other modifiers (a payer that dropped or changed a
 * modifier: warning); the originally billed code of SVC06 and date (a recoded line: warning). A service
 * without a date matches on code alone.
 */
export function matchServiceLines(lines: readonly MatchableLine[], services: readonly MatchableService[]): LineMatches {
  const used = new Set<string>();
  const lineIds: (string | null)[] = services.map(() => null);
  const warnings: LineMatchWarning[] = [];
  const free = () => lines.filter((l) => !used.has(l.id));
  const dateFits = (l: MatchableLine, s: MatchableService) => !s.serviceDate || s.serviceDate === l.serviceDate;
  const take = (i: number, line: MatchableLine | undefined): boolean => {
    if (!line) return false;
    used.add(line.id);
    lineIds[i] = line.id;
    return true;
  };

  // Exact keys first, over every service, so a loose rule never takes a line another service names exactly.
  services.forEach((s, i) => {
    if (s.lineId) take(i, free().find((l) => l.id === s.lineId));
  });
  services.forEach((s, i) => {
    if (lineIds[i] || !s.lineControlNumber) return;
    const ref = upper(s.lineControlNumber);
    take(i, free().find((l) => upper(l.lineControlNumber) === ref));
  });
  services.forEach((s, i) => {
    if (lineIds[i]) return;
    take(i, free().find((l) => upper(l.procedureCode) === upper(s.procedure.code) && sameModifiers(l.modifiers, s.procedure.modifiers) && dateFits(l, s)));
  });
  services.forEach((s, i) => {
    if (lineIds[i]) return;
    const line = free().find((l) => upper(l.procedureCode) === upper(s.procedure.code) && dateFits(l, s));
    if (take(i, line)) {
      warnings.push({
        code: 'line-matched-without-modifiers',
        message: `service ${i + 1} (${describe(s.procedure)}) matched line ${line!.lineNumber} (${describe(line!)}) although the modifiers differ`,
      });
    }
  });
  services.forEach((s, i) => {
    if (lineIds[i] || !s.originalProcedure) return;
    const original = s.originalProcedure;
    const line =
      free().find((l) => upper(l.procedureCode) === upper(original.code) && sameModifiers(l.modifiers, original.modifiers) && dateFits(l, s)) ??
      free().find((l) => upper(l.procedureCode) === upper(original.code) && dateFits(l, s));
    if (take(i, line)) {
      warnings.push({
        code: 'line-matched-by-original-procedure',
        message: `service ${i + 1} was paid as ${describe(s.procedure)}; it matched line ${line!.lineNumber} billed as ${describe(line!)} (SVC06)`,
      });
    }
  });
  services.forEach((s, i) => {
    if (!lineIds[i]) {
      warnings.push({ code: 'line-not-matched', message: `service ${i + 1} (${describe(s.procedure)}${s.serviceDate ? ` on ${s.serviceDate}` : ''}) matches no line of the claim; its amounts post to the claim only` });
    }
  });
  return { lineIds, warnings };
}

function describe(p: { procedureCode?: string; code?: string; modifiers: readonly string[] }): string {
  const code = p.procedureCode ?? p.code ?? '';
  return p.modifiers.length ? `${code}-${p.modifiers.join('-')}` : code;
}
