// Stage 6: month end, on the first days of July: the management-fee run for June and the period close
// of every entity's books (the practices' and the MSO's).
import { eventually } from './client.js';
import { MONTH, practiceList, type DemoContext } from './context.js';

export function monthEnd(ctx: DemoContext): void {
  ctx.on('2026-07-01', async () => {
    const { admin } = ctx;
    // Finance books the month's events as they arrive: wait until its preview stops moving.
    let last = '';
    await eventually(
      async () => {
        const preview = JSON.stringify((await admin.get(`/v1/finance/management-fees/preview?period=${MONTH}`)).practices);
        const same = preview === last;
        last = preview;
        return same;
      },
      (same) => same,
      'finance to book the month',
      60_000,
    );
    const run = await admin.post('/v1/finance/management-fees/runs', { period: MONTH });
    ctx.state.feeRun = run;
    for (const r of run.practices as { practiceId: string; feeCents: number; warnings: { code: string }[] }[]) {
      const p = practiceList(ctx).find((x) => x.id === r.practiceId);
      if (p) ctx.progress(`month end: management fee for June, ${p.name}: $${(r.feeCents / 100).toFixed(2)}${r.warnings.length ? ` (${[...new Set(r.warnings.map((w) => w.code))].join(', ')})` : ''}`);
    }
  });
  ctx.on('2026-07-02', async () => {
    for (const entity of [...practiceList(ctx).map((p) => p.id), 'mso']) await ctx.admin.post(`/v1/finance/periods/${MONTH}/close`, { entity });
    ctx.progress(`month end: June closed in ${practiceList(ctx).length + 1} sets of books`);
  });
}
