import type { ManualClock } from '@mso/kit';
import type { Api, Json } from './client.js';

/** The demo's month: June 2026, closed on the first days of July. */
export const MONTH = '2026-06';
export const day = (n: number) => `${MONTH}-${String(n).padStart(2, '0')}`;

export type PracticeKey = 'thirdParty' | 'jointVenture' | 'captive';

export interface DemoPractice {
  key: PracticeKey;
  id: string;
  name: string;
  npi: string;
  state: string;
  model: 'third-party' | 'joint-venture' | 'captive-pc';
  services: string[];
  /** The practice admin's own API key. */
  api: Api;
  /** Claims by patient control number, when the practice buys billing. */
  claims: Map<string, string>;
  /** Guarantors (billing patient ids) with a balance. */
  guarantors: string[];
}

/** What the stages record as they go, for the summary, the report and the checks. */
export interface DemoFacts {
  /** Patient payments posted (cents), by practice key and ISO week start. */
  paymentsByWeek: { practice: PracticeKey; date: string; amountCents: number; source: 'payer' | 'patient' }[];
  /** Denial reason codes seen on the practices' denials. */
  denialReasons: Record<string, number>;
  notes: string[];
}

export interface DemoContext {
  admin: Api;
  clock: ManualClock;
  /** Runs the platform's scheduled jobs due at the clock's time. */
  runDueJobs(): Promise<void>;
  /**
   * Schedules work for a day of the month (ISO date). The runner walks the month a day at a time
   * (13:00 UTC: morning in the practices' zones), runs the jobs due, then the day's work in the order
   * the stages scheduled it.
   */
  on(date: string, work: () => Promise<void>): void;
  practices: Record<PracticeKey, DemoPractice>;
  facts: DemoFacts;
  /** One line of progress. */
  progress(line: string): void;
  /** MSO-level state the stages share. */
  state: Record<string, Json>;
}

export const practiceList = (ctx: DemoContext): DemoPractice[] => Object.values(ctx.practices);
