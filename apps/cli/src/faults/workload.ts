// The fault run's work, through the gateway as practices' systems send it: 837P imports, claim
// submissions, 835s that pay, deny, carry PLB items and reverse earlier payments, and patient payments
// once collections has heard of the balance. Every write goes through FaultClient (one key per
// effect, retried); what was answered is recorded for the checks.
import { generate837P, generateRemittance835, prng, type ExpectedClaim, type GeneratedRemittance } from '@mso/x12/testing';
import type { Api, Json } from '../demo/client.js';
import type { FaultClient, WriteOutcome } from './client.js';

export interface FaultPractice {
  id: string;
  /** Short tag in patient control numbers and trace numbers. */
  tag: string;
  api: Api;
  /** The agreement's time zone: collections dates a payment by the practice's business day in it. */
  timeZone: string;
}

/** What the run sent and what the platform answered, per practice: the checks compare the books with it. */
export interface PracticeLedger {
  practice: FaultPractice;
  /** Claim id by patient control number, of every imported claim. */
  claims: Map<string, string>;
  /** Claims whose submission was answered 2xx (or took effect). */
  submitted: Set<string>;
  /** Remittances the platform posted (answered 2xx or took effect), by trace number. */
  remittances: Map<string, { paymentCents: number }>;
  /** What the last posting should leave on each claim it answered, by claim id. */
  expected: Map<string, ExpectedClaim>;
  /** Patient payments answered 2xx (id known) or taken effect (id unknown). */
  payments: { id: string | null; guarantorId: string; claimId: string; amountCents: number }[];
  /** Writes the platform refused (4xx) or that never settled, with why. */
  unsettled: { what: string; outcome: WriteOutcome }[];
  /** Repeats of a whole file the platform recognised as posted before (200, nothing posted again). */
  fileRepeats: number;
  /** Imports answered 409 `conflict` (another file created the same patient at once) and sent again. */
  conflictsResent: number;
}

export const newLedger = (practice: FaultPractice): PracticeLedger => ({
  practice,
  claims: new Map(),
  submitted: new Set(),
  remittances: new Map(),
  expected: new Map(),
  payments: [],
  unsettled: [],
  fileRepeats: 0,
  conflictsResent: 0,
});

interface PendingPayment {
  ledger: PracticeLedger;
  claimId: string;
  guarantorId: string | null;
  /** The patient's share the claim ends with: collections must show exactly this open before the payment. */
  openCents: number;
  amountCents: number;
  looks: number;
}

export interface WorkloadOptions {
  client: FaultClient;
  seed: number;
  /** Claims per 837P. */
  claimsPerFile: number;
  /** ISO date of today (payment dates). */
  today: string;
}

const X12 = 'application/edi-x12';
const settled = (o: WriteOutcome) => o.kind === 'ok' || o.kind === 'took-effect';
const isoDaysBefore = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

export class Workload {
  private readonly pending: PendingPayment[] = [];
  private cycles = 0;
  constructor(private readonly o: WorkloadOptions) {}

  get pendingPayments(): number {
    return this.pending.length;
  }

  /** One claim file's life: import, submit, first 835 (with PLB), second 835 reversing a payment; its patient payments queued. */
  async cycle(ledger: PracticeLedger): Promise<void> {
    const n = ++this.cycles;
    const { client, today } = this.o;
    const api = ledger.practice.api;
    const rnd = prng(this.o.seed * 7_919 + n);
    const prefix = `${ledger.practice.tag}${n}`;
    const ehr = generate837P({ claims: this.o.claimsPerFile, seed: this.o.seed + n, patients: Math.ceil(this.o.claimsPerFile / 2), pcnPrefix: prefix, serviceDateFrom: isoDaysBefore(today, 45), serviceDays: 28, controlNumber: n });

    let imported = await client.write(api, 'POST', '/v1/billing/claim-imports', ehr.text, { contentType: X12 });
    // Two files creating the same patient or provider at once: billing answers 409 and asks for the file again.
    for (let again = 0; again < 3 && imported.kind === 'refused' && imported.status === 409; again++) {
      ledger.conflictsResent++;
      imported = await client.write(api, 'POST', '/v1/billing/claim-imports', ehr.text, { contentType: X12 });
    }
    if (!settled(imported)) ledger.unsettled.push({ what: `import ${prefix}`, outcome: imported });
    const ready: string[] = [];
    if (imported.kind === 'ok' && imported.body.claims.length === ehr.claims.length) {
      if (imported.status === 200 && !imported.replayed) ledger.fileRepeats++;
      for (const c of imported.body.claims as { id: string; patientControlNumber: string; status: string }[]) {
        ledger.claims.set(c.patientControlNumber, c.id);
        if (c.status === 'ready') ready.push(c.patientControlNumber);
      }
    } else {
      // The reply is gone (or never came): the claims are read back by their control numbers.
      for (const c of ehr.claims) {
        const found = (await client.read(api, `/v1/billing/claims?patientControlNumber=${c.patientControlNumber}`)).items as { id: string; status: string }[];
        if (found[0]) {
          ledger.claims.set(c.patientControlNumber, found[0].id);
          if (found[0].status === 'ready') ready.push(c.patientControlNumber);
        }
      }
    }

    const submitted = [];
    for (const pcn of ready) {
      const id = ledger.claims.get(pcn)!;
      const outcome = await client.write(api, 'POST', `/v1/billing/claims/${id}/submit`, {});
      if (settled(outcome)) {
        ledger.submitted.add(id);
        submitted.push(ehr.claims.find((c) => c.patientControlNumber === pcn)!);
      } else ledger.unsettled.push({ what: `submit ${pcn}`, outcome });
    }
    if (submitted.length === 0) return;

    // The first 835 answers all but the last claim; the second answers that one and reverses the
    // first 835's first payment, posting it anew.
    const held = submitted.length > 1 ? submitted[submitted.length - 1]! : undefined;
    const first = held ? submitted.slice(0, -1) : submitted;
    const outcomes = first.map((c) => (c.lines.length > 1 && rnd() < 0.15 ? ('partially-denied' as const) : rnd() < 0.08 ? ('denied' as const) : ('paid' as const)));
    const era1Of = (providerAdjustments: boolean) =>
      generateRemittance835({ claims: first, seed: this.o.seed + n, traceNumber: `${prefix}A`, paymentDate: today, controlNumber: n * 2, providerAdjustments, outcomeOf: (_c, i) => outcomes[i]! });
    let era1: GeneratedRemittance;
    try {
      era1 = era1Of(true);
    } catch {
      era1 = era1Of(false); // the PLB items would take more than the claims were paid (mostly denials)
    }
    if (!(await this.postRemittance(ledger, era1))) return;
    if (held) {
      const reversed = era1.claims.find((c) => era1.expected.get(c.patientControlNumber)?.outcome === 'paid');
      const era2Of = (reverse: boolean) =>
        generateRemittance835({
          claims: [held],
          ...(reverse && reversed ? { reverse: [reversed] } : {}),
          seed: this.o.seed + n + 500_000,
          traceNumber: `${prefix}B`,
          paymentDate: today,
          controlNumber: n * 2 + 1,
          providerAdjustments: false,
          outcomeOf: () => 'paid',
        });
      let era2: GeneratedRemittance;
      try {
        era2 = era2Of(true);
      } catch {
        era2 = era2Of(false); // the reversal would take back more than the file pays
      }
      await this.postRemittance(ledger, era2);
    }

    // Patient payments for what the payers left to the patients: the whole share or half of it.
    for (const c of submitted) {
      const id = ledger.claims.get(c.patientControlNumber)!;
      const e = ledger.expected.get(id);
      if (!e || e.patientResponsibilityCents <= 0) continue;
      const amountCents = rnd() < 0.5 ? e.patientResponsibilityCents : Math.max(1, Math.floor(e.patientResponsibilityCents / 2));
      this.pending.push({ ledger, claimId: id, guarantorId: null, openCents: e.patientResponsibilityCents, amountCents, looks: 0 });
    }
  }

  private async postRemittance(ledger: PracticeLedger, era: GeneratedRemittance): Promise<boolean> {
    const api = ledger.practice.api;
    const outcome = await this.o.client.write(api, 'POST', '/v1/billing/remittances', era.text, { contentType: X12 });
    let posted = settled(outcome);
    if (outcome.kind === 'ok' && outcome.status === 200 && !outcome.replayed) ledger.fileRepeats++;
    if (outcome.kind === 'gave-up') {
      // Unknown whether it was posted: the list says.
      posted = ((await this.o.client.read(api, `/v1/billing/remittances?traceNumber=${era.traceNumber}`)).items as unknown[]).length > 0;
    }
    if (!posted) {
      ledger.unsettled.push({ what: `835 ${era.traceNumber}`, outcome });
      return false;
    }
    ledger.remittances.set(era.traceNumber, { paymentCents: era.totals.paymentCents });
    for (const [pcn, e] of era.expected) ledger.expected.set(ledger.claims.get(pcn)!, e);
    return true;
  }

  /**
   * Posts up to `max` queued patient payments whose balance collections already shows (it hears of
   * it by billing's events); the others wait for a later look. Answers how many were posted.
   */
  async payments(max: number, budgetMs?: number): Promise<number> {
    const { client } = this.o;
    let posted = 0;
    const batch = this.pending.splice(0, max);
    for (const p of batch) {
      const api = p.ledger.practice.api;
      try {
        if (!p.guarantorId) p.guarantorId = ((await client.read(api, `/v1/billing/claims/${p.claimId}`, budgetMs)) as Json).patientId as string;
        const account = await api.request('GET', `/v1/collections/accounts/${p.guarantorId}`, undefined, { expect: [404, 500, 502, 503, 504], timeoutMs: 20_000 });
        client.counts.requests++;
        const item = account.status === 200 ? (account.body.items as { claimId: string; openCents: number }[]).find((i) => i.claimId === p.claimId) : undefined;
        if (!item || item.openCents !== p.openCents) {
          p.looks++;
          this.pending.push(p);
          continue;
        }
      } catch {
        p.looks++;
        this.pending.push(p);
        continue;
      }
      const body = { guarantorId: p.guarantorId, amountCents: p.amountCents, method: 'card', claimId: p.claimId };
      const outcome = await client.write(api, 'POST', '/v1/collections/payments', body);
      if (settled(outcome)) {
        p.ledger.payments.push({ id: outcome.kind === 'ok' ? (outcome.body.id as string) : null, guarantorId: p.guarantorId, claimId: p.claimId, amountCents: p.amountCents });
        posted++;
      } else p.ledger.unsettled.push({ what: `payment on claim ${p.claimId}`, outcome });
    }
    return posted;
  }
}
