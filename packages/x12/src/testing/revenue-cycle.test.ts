import { X12Parser } from 'node-x12';
import { describe, expect, it } from 'vitest';
import { parse835, parse837P } from '../index.js';
import { isValidNpi } from '../npi.js';
import { generate837P } from './generate837.js';
import { generateRemittance835 } from './remittance835.js';

const big = generate837P({ claims: 10_000, seed: 42 });
const parsed837 = parse837P(big.text);

describe('generate837P', () => {
  it('writes 10,000 claims that parse back to the same claims and totals', () => {
    expect(parsed837.warnings).toEqual([]);
    expect(parsed837.claims).toHaveLength(10_000);
    expect(parsed837.claims).toStrictEqual(big.claims);
    const charge = parsed837.claims.reduce((s, c) => s + c.chargeCents, 0);
    const lines = parsed837.claims.reduce((s, c) => s + c.lines.length, 0);
    const lineCharge = parsed837.claims.reduce((s, c) => s + c.lines.reduce((t, l) => t + l.chargeCents, 0), 0);
    expect(charge).toBe(big.totalChargeCents);
    expect(lineCharge).toBe(big.totalChargeCents);
    expect(lines).toBe(big.lineCount);
    expect(new Set(parsed837.claims.map((c) => c.subscriber.memberId)).size).toBe(big.patientCount);
    expect(big.text.split('~ST*837*').length - 1).toBe(2); // 5,000 claims per transaction set
  });

  it('is deterministic from its seed', () => {
    const a = generate837P({ claims: 300, seed: 7 });
    expect(generate837P({ claims: 300, seed: 7 }).text).toBe(a.text);
    expect(generate837P({ claims: 300, seed: 8 }).text).not.toBe(a.text);
  });

  it('bills only what a scrubber accepts: valid NPIs, unique PCNs, pointers in range, no duplicate claim', () => {
    const pcns = new Set<string>();
    const visits = new Set<string>();
    for (const c of big.claims) {
      expect(c.patientControlNumber.length).toBeLessThanOrEqual(20);
      pcns.add(c.patientControlNumber);
      expect(isValidNpi(c.billingProvider.npi) && isValidNpi(c.renderingProvider!.npi!)).toBe(true);
      expect(c.chargeCents).toBe(c.lines.reduce((s, l) => s + l.chargeCents, 0));
      for (const l of c.lines) {
        expect(l.units).toBeGreaterThan(0);
        expect(l.diagnosisPointers.every((p) => p >= 1 && p <= c.diagnoses.length)).toBe(true);
      }
      visits.add(`${c.subscriber.memberId}|${c.patient?.firstName ?? ''}|${c.lines[0]!.serviceDate}`);
    }
    expect(pcns.size).toBe(big.claims.length);
    expect(visits.size).toBe(big.claims.length);
  });

  it('passes node-x12 in strict mode', () => {
    const parser = new X12Parser(true);
    parser.parse(generate837P({ claims: 200, seed: 3 }).text);
    expect(parser.diagnostics).toEqual([]);
  });
});

describe('generateRemittance835', () => {
  const prior = generateRemittance835({ claims: big.claims.slice(0, 100), seed: 1, traceNumber: 'EFT-PRIOR-1', mix: { denied: 0, forwarded: 0, partiallyDenied: 0 } });
  const era = generateRemittance835({ claims: big.claims.slice(100), reverse: prior.claims, seed: 2, traceNumber: 'EFT-MAIN-2', unknownClaims: 3 });

  it('answers every one of the 10,000 claims, balanced, and parses back to what it generated', () => {
    const { remittances, warnings } = parse835(era.text);
    expect(warnings).toEqual([]);
    expect(remittances).toHaveLength(1);
    const r = remittances[0]!;
    expect(r.claims).toEqual(era.claims);
    expect(r.providerAdjustments).toEqual(era.providerAdjustments);
    expect(r.payment).toMatchObject({ amountCents: era.totals.paymentCents, traceNumber: 'EFT-MAIN-2', date: '2026-05-15' });
    expect(r.claims).toHaveLength(9_900 + 2 * 100 + 3);
    expect(era.expected.size).toBe(10_000);
    expect(era.text.length).toBeGreaterThan(1_500_000);
    const paid = r.claims.reduce((s, c) => s + c.paidCents, 0);
    const plb = r.providerAdjustments.reduce((s, p) => s + p.amountCents, 0);
    expect(paid).toBe(era.totals.claimPaymentCents);
    expect(paid - plb).toBe(r.payment.amountCents);
  });

  it('pays, adjusts, denies, forwards and reverses, and what each claim should show adds up', () => {
    const outcomes = new Map<string, number>();
    for (const e of era.expected.values()) {
      outcomes.set(e.outcome, (outcomes.get(e.outcome) ?? 0) + 1);
      // a fully adjudicated claim owes nothing more to the payer
      expect(e.chargeCents - e.paidCents - e.adjustmentCents - e.patientResponsibilityCents).toBe(0);
      expect(e.deductibleCents + e.coinsuranceCents + e.copayCents).toBe(e.patientResponsibilityCents);
      if (e.outcome === 'denied') expect(e).toMatchObject({ status: 'denied', paidCents: 0, deniedLines: e.lines });
      if (e.outcome === 'partially-denied') expect(e).toMatchObject({ status: 'partially-paid', deniedLines: 1 });
    }
    expect(outcomes.get('reversed')).toBe(100);
    for (const kind of ['paid', 'partially-denied', 'denied', 'forwarded']) expect(outcomes.get(kind)).toBeGreaterThan(50);
    const statuses = new Set(era.claims.map((c) => c.statusCode));
    expect([...statuses].sort()).toEqual(['1', '19', '22', '4']);
    const adjustments = era.claims.flatMap((c) => c.services.flatMap((s) => s.adjustments));
    for (const reason of ['1', '2', '3']) expect(adjustments.some((a) => a.group === 'PR' && a.reason === reason)).toBe(true);
    expect(era.providerAdjustments.map((p) => p.reason)).toEqual(['L6', 'WO', 'FB']);
  });

  it('reverses exactly what the earlier remittance posted', () => {
    const reversals = era.claims.filter((c) => c.statusCode === '22');
    expect(reversals.map((c) => c.patientControlNumber)).toEqual(prior.claims.map((c) => c.patientControlNumber));
    reversals.forEach((rev, i) => {
      expect(rev.paidCents).toBe(-prior.claims[i]!.paidCents);
      expect(rev.payerClaimControlNumber).toBe(prior.claims[i]!.payerClaimControlNumber);
    });
  });

  it('is deterministic and can leave out line control numbers', () => {
    const again = generateRemittance835({ claims: big.claims.slice(100), reverse: prior.claims, seed: 2, traceNumber: 'EFT-MAIN-2', unknownClaims: 3 });
    expect(again.text).toBe(era.text);
    const bare = generateRemittance835({ claims: big.claims.slice(0, 20), lineControlNumbers: false, providerAdjustments: false });
    expect(bare.text).not.toContain('REF*6R');
    expect(bare.text).not.toContain('PLB*');
    expect(parse835(bare.text).warnings).toEqual([]);
  });
});
