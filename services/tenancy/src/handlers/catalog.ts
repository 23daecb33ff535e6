import { businessServices } from '@mso/contracts';
import { msoModels, type getCatalog, type getMe } from '@mso/contracts/tenancy';
import type { Handler } from '@mso/kit';
import { modelRules } from '../domain/agreement.js';
import { currentAgreement } from './practices.js';

const descriptions: Record<(typeof businessServices)[number], string> = {
  billing: 'Revenue cycle: claims (837P), remittances (835), payment posting',
  collections: 'Patient balances, statements, payment plans, follow-up',
  hr: 'Employees, payroll data, provider credentialing',
  helpdesk: 'IT tickets with SLAs, assets, HIPAA security incidents',
  finance: 'Ledgers, management fees, profit split, reports',
};

export const getCatalogHandler: Handler<typeof getCatalog> = async (_input, ctx) => {
  const running = await ctx.runningServices();
  return {
    services: businessServices.map((name) => {
      const instances = running.filter((s) => s.name === name).length;
      return { name, description: descriptions[name], running: instances > 0, instances };
    }),
    models: msoModels.map((model) => ({ model, ...modelRules[model] })),
  };
};

export const getMeHandler: Handler<typeof getMe> = async (_input, ctx) => {
  const practiceId = ctx.principal.practiceId ?? ctx.tenant;
  const agreement = practiceId ? await currentAgreement(ctx.db, practiceId) : undefined;
  return {
    keyId: ctx.principal.id,
    role: ctx.principal.role,
    practiceId: practiceId ?? null,
    services: (agreement?.services ?? []) as never,
  };
};
