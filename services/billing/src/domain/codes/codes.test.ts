import { describe, expect, it } from 'vitest';
import { carcCodes, carcKind, describeCarc, describeGroup, describeRarc, rarcCodes } from './index.js';

describe('code tables', () => {
  it('ships the common CARC and RARC codes with their descriptions', () => {
    expect(carcCodes.size).toBeGreaterThan(250);
    expect(rarcCodes.size).toBeGreaterThan(150);
    for (const code of ['1', '2', '3', '4', '5', '16', '18', '22', '23', '27', '29', '45', '50', '96', '97', '109', '119', '197', '204', '242', '253']) expect(carcCodes.has(code), code).toBe(true);
    for (const code of ['N130', 'N115', 'M15', 'M51', 'MA01', 'MA130', 'N290', 'N704']) expect(rarcCodes.has(code), code).toBe(true);
    expect(describeCarc('50')).toMatchObject({ known: true, kind: 'denial', description: "These are non-covered services because this is not deemed a 'medical necessity' by the payer." });
    expect(describeRarc('M51')).toEqual({ code: 'M51', known: true, description: 'Missing/incomplete/invalid procedure code(s).' });
    expect(describeGroup('PI')).toBe('Payer Initiated Reductions');
  });

  it('reads a zero-padded CARC as the code it is', () => {
    expect(describeCarc('045')).toMatchObject({ code: '045', known: true, kind: 'contractual' });
  });

  it('shows an unknown code as unknown, kept as sent', () => {
    expect(describeCarc('Z9')).toMatchObject({ code: 'Z9', known: false, description: expect.stringMatching(/unknown/i) });
    expect(describeRarc('N99999')).toMatchObject({ code: 'N99999', known: false });
  });

  it('tells the patient share and contractual write-downs from denials', () => {
    expect(['1', '2', '3'].map(carcKind)).toEqual(['patient', 'patient', 'patient']);
    expect(['45', '253', '23'].map(carcKind)).toEqual(['contractual', 'contractual', 'contractual']);
    expect(['50', '97', '197', '29'].map(carcKind)).toEqual(['denial', 'denial', 'denial', 'denial']);
  });
});
