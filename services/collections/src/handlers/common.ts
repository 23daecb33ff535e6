import { localDate, type HandlerContext } from '@mso/kit';
import type { When } from '../db/postings.js';

export const iso = (d: Date) => d.toISOString();

/** The practice's business date now (its agreement's time zone) and the instant. */
export async function whenOf(ctx: HandlerContext): Promise<When> {
  const now = ctx.clock.now();
  const agreement = await ctx.agreement;
  return { practiceId: ctx.practiceId, on: localDate(now, agreement.timeZone ?? 'UTC'), now };
}
