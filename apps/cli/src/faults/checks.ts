// What must hold once the faults stop and the platform has caught up: every answered write took
// effect once, every entity's books balance and say what billing's and collections' records say,
// no event is left in an outbox or unexplained in the dead-letter stream. Read through the public
// API; the outboxes, inboxes and streams through SQL and the NATS monitoring endpoint.
import { subjectMatches } from '@mso/bus';
import { localDate } from '@mso/kit';
import type { Database } from '@mso/db';
import type { Api, Json } from '../demo/client.js';
import type { FaultClient } from './client.js';
import type { PracticeLedger } from './workload.js';

/** Schemas of the services that have an outbox in a fault run. */
export const OUTBOX_SCHEMAS = ['tenancy', 'billing', 'collections', 'finance'] as const;

export interface CheckResult {
  failures: string[];
  /** Figures the report prints. */
  facts: Record<string, number>;
}

type Row = Record<string, unknown>;

/** Rows of a raw statement (the driver answers an array of rows). */
export async function query(database: Database, text: string): Promise<Row[]> {
  const result = (await database.db.execute(text)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

const sum = (xs: Iterable<number>) => [...xs].reduce((s, x) => s + x, 0);

async function all(client: FaultClient, api: Api, path: string): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page: Json = await client.read(api, `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.items);
    cursor = page.nextCursor ?? null;
  } while (cursor);
  return out;
}

/** Balances by system account key. */
const balancesOf = (tb: Json): Record<string, number> => Object.fromEntries((tb.accounts as { key: string | null; balanceCents: number }[]).filter((a) => a.key).map((a) => [a.key!, a.balanceCents]));

/**
 * One practice: claims, remittances, patient payments and the practice's books. `run` is the run's
 * span in epoch ms; reports are asked for the practice's business days in it (its own time zone, so
 * a run across midnight UTC finds what collections dated the day before).
 */
export async function checkPractice(client: FaultClient, admin: Api, ledger: PracticeLedger, run: { from: number; to: number }): Promise<CheckResult> {
  const failures: string[] = [];
  const api = ledger.practice.api;
  const fail = (what: string) => failures.push(`${ledger.practice.tag}: ${what}`);

  // Claims: each imported control number once; each submitted claim sent once; each answered claim as its last 835 says.
  const claims = await all(client, api, '/v1/billing/claims');
  const byPcn = new Map<string, number>();
  for (const c of claims) byPcn.set(c.patientControlNumber, (byPcn.get(c.patientControlNumber) ?? 0) + 1);
  for (const [pcn, n] of byPcn) if (n !== 1) fail(`claim ${pcn} exists ${n} times`);
  if (claims.length !== ledger.claims.size) fail(`${claims.length} claims in billing, ${ledger.claims.size} imported`);
  let wrongClaims = 0;
  for (const c of claims) {
    if (ledger.submitted.has(c.id) && c.submissionCount !== 1) fail(`claim ${c.patientControlNumber} submitted ${c.submissionCount} times`);
    const e = ledger.expected.get(c.id);
    if (e && (c.paidCents !== e.paidCents || c.patientResponsibilityCents !== e.patientResponsibilityCents || c.balanceCents !== 0)) {
      if (++wrongClaims <= 5) fail(`claim ${c.patientControlNumber}: paid ${c.paidCents} PR ${c.patientResponsibilityCents} balance ${c.balanceCents}; its 835s say paid ${e.paidCents} PR ${e.patientResponsibilityCents} balance 0`);
    }
  }
  if (wrongClaims > 5) fail(`${wrongClaims} claims in all differ from their 835s`);

  // Remittances: each trace number posted once, for the amount of its file.
  const remittances = await all(client, api, '/v1/billing/remittances');
  const byTrace = new Map<string, Json[]>();
  for (const r of remittances) byTrace.set(r.traceNumber, [...(byTrace.get(r.traceNumber) ?? []), r]);
  for (const [trace, list] of byTrace) if (list.length !== 1) fail(`835 ${trace} posted ${list.length} times`);
  for (const [trace, r] of ledger.remittances) {
    const got = byTrace.get(trace)?.[0];
    if (!got) fail(`835 ${trace} answered as posted but not in billing's list`);
    else if (got.paymentAmountCents !== r.paymentCents) fail(`835 ${trace}: payment ${got.paymentAmountCents}, file says ${r.paymentCents}`);
  }
  if (byTrace.size !== ledger.remittances.size) fail(`${byTrace.size} remittances in billing, ${ledger.remittances.size} posted`);

  // Patient payments: each answered payment once, and collections' totals are the sum of them.
  for (const p of ledger.payments) {
    if (!p.id) continue;
    const got = await client.read(api, `/v1/collections/payments/${p.id}`);
    if (got.amountCents !== p.amountCents) fail(`payment ${p.id}: ${got.amountCents} cents, posted ${p.amountCents}`);
  }
  const paymentsCents = sum(ledger.payments.map((p) => p.amountCents));
  const days = { from: localDate(run.from, ledger.practice.timeZone), to: localDate(run.to, ledger.practice.timeZone) };
  const channels = await client.read(api, `/v1/collections/reports/payments-by-channel?from=${days.from}&to=${days.to}`);
  const channelCount = sum((channels.channels as { count: number }[]).map((c) => c.count));
  if (channels.totalCents !== paymentsCents || channelCount !== ledger.payments.length) {
    fail(`collections received ${channelCount} payments of ${channels.totalCents} cents; ${ledger.payments.length} of ${paymentsCents} were posted`);
  }
  const aging = await client.read(api, '/v1/collections/reports/aging');
  let credits = 0;
  let collectionsPr = 0;
  let collectionsPaid = 0;
  let writtenOff = 0;
  // Every patient with a share on a claim (the aging report lists only balances still open).
  const guarantors = new Set<string>(claims.filter((c) => c.patientResponsibilityCents > 0).map((c) => c.patientId as string));
  for (const g of guarantors) {
    const account = await client.read(api, `/v1/collections/accounts/${g}`);
    credits += account.creditCents;
    for (const i of account.items as { patientResponsibilityCents: number; paidCents: number; writtenOffCents: number }[]) {
      collectionsPr += i.patientResponsibilityCents;
      collectionsPaid += i.paidCents;
      writtenOff += i.writtenOffCents;
    }
  }
  const billedPr = sum(claims.map((c) => c.patientResponsibilityCents as number));
  if (collectionsPr !== billedPr) fail(`collections holds ${collectionsPr} cents of patient responsibility, billing's claims ${billedPr}`);

  // The practice's books: balanced, and each account what the two services' records add up to.
  const tb = await client.read(admin, `/v1/finance/trial-balance?entity=${ledger.practice.id}`);
  if (tb.totalDebitCents !== tb.totalCreditCents) fail(`books unbalanced: debits ${tb.totalDebitCents}, credits ${tb.totalCreditCents}`);
  const b = balancesOf(tb);
  const plb = remittances.flatMap((r) => r.providerAdjustments as { reason: string; amountCents: number }[]);
  const submittedClaims = claims.filter((c) => c.submissionCount > 0);
  const expected: Record<string, number> = {
    'gross-charges': sum(submittedClaims.map((c) => c.chargeCents)),
    'insurance-ar': sum(submittedClaims.map((c) => c.balanceCents)),
    'era-clearing': 0,
    cash: sum(remittances.map((r) => r.paymentAmountCents)) + paymentsCents,
    'patient-ar': aging.totalCents,
    'refunds-payable': credits,
    'interest-income': -sum(plb.filter((p) => p.reason === 'L6').map((p) => p.amountCents)),
    recoupments: sum(plb.filter((p) => p.reason !== 'L6').map((p) => p.amountCents)),
  };
  for (const [account, cents] of Object.entries(expected)) if ((b[account] ?? 0) !== cents) fail(`books: ${account} ${b[account] ?? 0}, records say ${cents}`);
  const adjustments = (b['contractual-allowance'] ?? 0) + (b['other-adjustments'] ?? 0) + (b.denials ?? 0);
  const claimAdjustments = sum(submittedClaims.map((c) => c.adjustmentCents));
  if (adjustments !== claimAdjustments) fail(`books: adjustments ${adjustments}, billing's claims ${claimAdjustments}`);
  if (aging.totalCents !== billedPr - collectionsPaid - writtenOff) fail(`collections: open ${aging.totalCents} ≠ responsibility ${billedPr} − paid ${collectionsPaid} − written off ${writtenOff}`);
  return { failures, facts: { claims: claims.length, remittances: remittances.length, payments: ledger.payments.length } };
}

/** The MSO's books balance, and the fee run took effect once: one run, one invoice per practice, the practices' fees owed to the MSO. */
export async function checkMso(client: FaultClient, admin: Api, period: string, run: Json | null, practiceIds: string[]): Promise<string[]> {
  const failures: string[] = [];
  const mso = await client.read(admin, '/v1/finance/trial-balance?entity=mso');
  if (mso.totalDebitCents !== mso.totalCreditCents) failures.push(`MSO books unbalanced: debits ${mso.totalDebitCents}, credits ${mso.totalCreditCents}`);
  const runs = (await client.read(admin, `/v1/finance/management-fees/runs?period=${period}`)).items as Json[];
  if (runs.length !== 1) failures.push(`${runs.length} fee runs for ${period}, one was made`);
  if (run && runs[0] && runs[0].id !== run.id) failures.push(`the fee run for ${period} is ${runs[0].id}, the answer named ${run.id}`);
  const invoices = (await client.read(admin, `/v1/finance/invoices?period=${period}`)).items as { practiceId: string; amountCents: number }[];
  for (const id of practiceIds) {
    const own = invoices.filter((i) => i.practiceId === id);
    const fee = (runs[0]?.practices as { practiceId: string; differenceCents: number }[] | undefined)?.find((x) => x.practiceId === id)?.differenceCents ?? 0;
    if (fee !== 0 && own.length !== 1) failures.push(`practice ${id}: ${own.length} fee invoices for ${period}`);
    if (sum(own.map((i) => i.amountCents)) !== fee) failures.push(`practice ${id}: invoiced ${sum(own.map((i) => i.amountCents))}, the run's fee ${fee}`);
  }
  return failures;
}

/** Events still unpublished in the services' outboxes. */
export async function unpublishedEvents(database: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const schema of OUTBOX_SCHEMAS) {
    const [row] = await query(database, `select count(*)::int as n from ${schema}.mso_outbox where published_at is null`);
    out[schema] = Number(row?.n ?? 0);
  }
  return out;
}

export interface StreamFacts {
  /** Deliveries beyond the first of each event, over every durable consumer. */
  redeliveries: number;
  /** Events in the dead-letter stream. */
  deadLetters: number;
  /** Deliveries not yet acknowledged or not yet made, over every consumer. */
  outstanding: number;
}

interface ConsumerDetail {
  name: string;
  stream_name: string;
  config: { filter_subject?: string };
  delivered: { consumer_seq: number; stream_seq: number };
  num_ack_pending: number;
  num_pending: number;
}


/**
 * From the NATS monitoring endpoint: a consumer's deliveries beyond the events it was sent once each
 * (the producer's outbox rows its filter takes; the stream keeps one message per event id).
 */
export async function streamFacts(monitorUrl: string, database: Database): Promise<StreamFacts> {
  const jsz = (await (await fetch(`${monitorUrl}/jsz?consumers=true&config=true`)).json()) as {
    account_details?: { stream_detail?: { name: string; state: { messages: number }; consumer_detail?: ConsumerDetail[] }[] }[];
  };
  const streams = (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []);
  const subjects = new Map<string, string[]>();
  const eventsOf = async (producer: string): Promise<string[]> => {
    if (!subjects.has(producer)) {
      const known = (OUTBOX_SCHEMAS as readonly string[]).includes(producer);
      subjects.set(producer, known ? (await query(database, `select subject from ${producer}.mso_outbox`)).map((r) => String(r.subject)) : []);
    }
    return subjects.get(producer)!;
  };
  let redeliveries = 0;
  let deadLetters = 0;
  let outstanding = 0;
  for (const stream of streams) {
    if (/(^|_)DLQ$/.test(stream.name)) {
      deadLetters += stream.state.messages;
      continue;
    }
    const producer = /EVT_([A-Z]+)$/.exec(stream.name)?.[1]?.toLowerCase();
    if (!producer) continue;
    const events = await eventsOf(producer);
    for (const c of stream.consumer_detail ?? []) {
      outstanding += c.num_pending + c.num_ack_pending;
      const filter = (c.config.filter_subject ?? 'evt.>').replace(/^.*?(?=evt\.)/, '');
      const distinct = events.filter((s) => subjectMatches(filter, s)).length;
      redeliveries += Math.max(0, c.delivered.consumer_seq - distinct);
    }
  }
  return { redeliveries, deadLetters, outstanding };
}
