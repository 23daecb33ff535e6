// Stage 2: HR. MSO staff and the captive PC's staff and providers, one person employed by both the MSO
// and a practice, a licence that expires mid-month, a hire, a termination, and the month's payroll.
import { generatedNpi } from '@mso/x12/testing';
import { day, type DemoContext } from './context.js';

const address = { line1: '200 Market St', city: 'Austin', state: 'TX', postalCode: '78701' };

export function hrStage(ctx: DemoContext): void {
  const { admin } = ctx;
  let frontDeskEmploymentId = '';
  let ssn = 100;
  const person = async (firstName: string, lastName: string, employment: Record<string, unknown>) =>
    admin.post('/v1/hr/people', {
      firstName,
      lastName,
      email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}@example.com`,
      ssn: `512-44-${String(ssn++).padStart(4, '0')}`,
      dateOfBirth: '1984-03-14',
      homeAddress: address,
      employment: { department: 'Operations', fte: 1, startDate: '2026-01-05', ...employment },
    });
  ctx.on(day(2), async () => {
    const captive = ctx.practices.captive;
    const jv = ctx.practices.jointVenture;
    await admin.put('/v1/hr/payroll-settings/mso', { schedule: 'monthly', employerTaxBasisPoints: 765, benefitsBasisPoints: 1200 });
    await admin.put(`/v1/hr/payroll-settings/${captive.id}`, { schedule: 'monthly', employerTaxBasisPoints: 765, benefitsBasisPoints: 900 });

    // MSO staff whose cost is shared by the practices they serve.
    const shared = [
      { practiceId: jv.id, percent: 40 },
      { practiceId: captive.id, percent: 60 },
    ];
    const billerLead = await person('Dana', 'Whitfield', { employer: 'mso', title: 'Revenue cycle lead', department: 'Revenue cycle', pay: { basis: 'salary', amountCents: 78_000_00 }, allocations: shared, systems: ['billing'] });
    await person('Marcus', 'Ibarra', { employer: 'mso', title: 'IT support analyst', department: 'IT', pay: { basis: 'salary', amountCents: 64_000_00 }, allocations: shared, systems: ['helpdesk'] });
    // Employed by the MSO (half time) and by the captive PC (half time).
    const both = await person('Priya', 'Raman', { employer: 'mso', title: 'Practice operations manager', fte: 0.5, pay: { basis: 'salary', amountCents: 90_000_00 }, allocations: [{ practiceId: captive.id, percent: 100 }] });
    await admin.post(`/v1/hr/people/${both.id}/employments`, { employer: captive.id, title: 'Office manager', department: 'Front office', fte: 0.5, pay: { basis: 'salary', amountCents: 40_000_00 }, startDate: '2026-01-05' });

    // The captive PC's own staff and providers.
    const frontDesk = await person('Luis', 'Moreno', { employer: captive.id, title: 'Front desk', department: 'Front office', pay: { basis: 'hourly', amountCents: 21_50 } });
    frontDeskEmploymentId = frontDesk.employments[0].id;
    const doctor = await person('Helen', 'Okafor', { employer: captive.id, title: 'Physician', department: 'Clinical', pay: { basis: 'salary', amountCents: 240_000_00 } });
    const nurse = await person('Grace', 'Lindqvist', { employer: captive.id, title: 'Nurse practitioner', department: 'Clinical', pay: { basis: 'salary', amountCents: 118_000_00 } });
    ctx.state.hr = { billerLeadId: billerLead.id, personBothId: both.id, frontDeskEmploymentId };
    ctx.progress('hr: 6 people, 7 employments (one person at the MSO and at Summit Primary Care)');

    const providers = [];
    for (const [i, p] of [doctor, nurse].entries()) {
      const provider = await admin.post('/v1/hr/providers', { practiceId: captive.id, personId: p.id, npi: generatedNpi(4_000_001 + i * 977), taxonomy: i === 0 ? '207Q00000X' : '363LF0000X' });
      // The nurse practitioner's Texas licence expires mid-month (HR's notices and credentialing task follow).
      await admin.post(`/v1/hr/providers/${provider.id}/credentials`, { kind: 'state-licence', state: 'TX', number: `TX-${88_100 + i}`, issuer: 'Texas Medical Board', issuedOn: '2024-06-15', expiresOn: i === 0 ? '2028-06-15' : day(15) });
      await admin.post(`/v1/hr/providers/${provider.id}/credentials`, { kind: 'dea', state: 'TX', number: `BO${1_234_560 + i}`, issuer: 'DEA', issuedOn: '2025-01-01', expiresOn: '2028-01-01' });
      providers.push(provider.id);
    }
    ctx.progress('hr: 2 providers with licences and DEA registrations (one licence expires on the 15th)');

    // A hire on the 8th, a termination on the 19th.
  });
  ctx.on(day(8), async () => {
    const hired = await person('Omar', 'Haddad', { employer: ctx.practices.captive.id, title: 'Medical assistant', department: 'Clinical', pay: { basis: 'hourly', amountCents: 19_75 }, startDate: day(8) });
    ctx.state.hr.hiredId = hired.employments[0].id;
    ctx.progress('hr: hired a medical assistant at Summit Primary Care');
  });
  ctx.on(day(19), async () => {
    const leaving = frontDeskEmploymentId;
    await admin.post(`/v1/hr/employments/${leaving}/terminate`, { lastDay: day(19), reason: 'resignation' });
    ctx.progress('hr: a front-desk employee resigned (last day the 19th)');
    ctx.state.hr.frontDeskEmploymentId = leaving;
  });
  ctx.on(day(30), () => payroll(ctx));
}

/** The month's payroll for the MSO and the captive PC (run on the last day). */
async function payroll(ctx: DemoContext): Promise<void> {
  const captive = ctx.practices.captive;
  const hours = [
    { employmentId: ctx.state.hr.frontDeskEmploymentId, hours: 104 },
    { employmentId: ctx.state.hr.hiredId, hours: 132 },
  ];
  const runs = [];
  for (const employer of ['mso', captive.id]) {
    const run = await ctx.admin.post('/v1/hr/payroll-runs', { employer, periodStart: day(1), periodEnd: day(30), ...(employer === 'mso' ? {} : { hours }) });
    runs.push(run);
  }
  ctx.state.payroll = runs.map((r) => ({ employer: r.employer, employees: r.employees, costCents: r.costCents, grossCents: r.grossCents }));
  ctx.progress(`hr: payroll for June: MSO $${(runs[0].costCents / 100).toFixed(2)}, Summit Primary Care $${(runs[1].costCents / 100).toFixed(2)} (cost incl. tax and benefits)`);
}
