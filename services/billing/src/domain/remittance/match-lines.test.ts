import { describe, expect, it } from 'vitest';
import { matchServiceLines, type MatchableLine } from './match-lines.js';

const lines: MatchableLine[] = [
  { id: 'l1', lineNumber: 1, procedureCode: '99213', modifiers: ['25'], serviceDate: '2026-03-01', lineControlNumber: 'C1-1' },
  { id: 'l2', lineNumber: 2, procedureCode: '93000', modifiers: [], serviceDate: '2026-03-01', lineControlNumber: 'C1-2' },
  { id: 'l3', lineNumber: 3, procedureCode: '36415', modifiers: [], serviceDate: '2026-03-02', lineControlNumber: 'C1-3' },
];
const svc = (code: string, modifiers: string[] = [], extra: Record<string, unknown> = {}) => ({ procedure: { code, modifiers }, serviceDate: '2026-03-01', ...extra });

describe('matching service lines to claim lines', () => {
  it('takes the line control number (REF*6R) first, whatever the code says', () => {
    const m = matchServiceLines(lines, [svc('99999', [], { lineControlNumber: 'c1-2' })]);
    expect(m).toEqual({ lineIds: ['l2'], warnings: [] });
  });

  it('matches by procedure code, modifiers and date without a REF*6R, in any order, without warnings', () => {
    const m = matchServiceLines(lines, [svc('36415', [], { serviceDate: '2026-03-02' }), svc('93000'), svc('99213', ['25'])]);
    expect(m).toEqual({ lineIds: ['l3', 'l2', 'l1'], warnings: [] });
  });

  it('still matches a line whose modifier the payer dropped or changed, with a warning', () => {
    const m = matchServiceLines(lines, [svc('99213')]);
    expect(m.lineIds).toEqual(['l1']);
    expect(m.warnings).toEqual([expect.objectContaining({ code: 'line-matched-without-modifiers' })]);
    expect(matchServiceLines(lines, [svc('99213', ['59'])]).warnings[0]!.code).toBe('line-matched-without-modifiers');
  });

  it('matches a recoded line by the procedure as billed (SVC06), with a warning', () => {
    const m = matchServiceLines(lines, [svc('99212', [], { originalProcedure: { code: '99213', modifiers: ['25'] } })]);
    expect(m.lineIds).toEqual(['l1']);
    expect(m.warnings[0]).toMatchObject({ code: 'line-matched-by-original-procedure' });
  });

  it('does not match across dates, uses each line once, and says which service matched nothing', () => {
    const m = matchServiceLines(lines, [svc('36415'), svc('93000'), svc('93000')]);
    expect(m.lineIds).toEqual([null, 'l2', null]);
    expect(m.warnings.map((w) => w.code)).toEqual(['line-not-matched', 'line-not-matched']);
  });

  it('lets an exact match win over an earlier loose one', () => {
    const twins: MatchableLine[] = [
      { id: 'a', lineNumber: 1, procedureCode: '97110', modifiers: ['GP'], serviceDate: '2026-03-01', lineControlNumber: 'X-1' },
      { id: 'b', lineNumber: 2, procedureCode: '97110', modifiers: ['GP', '59'], serviceDate: '2026-03-01', lineControlNumber: 'X-2' },
    ];
    const m = matchServiceLines(twins, [svc('97110', ['59']), svc('97110', ['GP'])]);
    expect(m.lineIds).toEqual(['b', 'a']);
  });

  it('takes the line a manual posting names', () => {
    expect(matchServiceLines(lines, [svc('00000', [], { lineId: 'l3' })]).lineIds).toEqual(['l3']);
  });
});
