// Stage 5: helpdesk. Devices in each practice's asset register (billed per seat), tickets answered in
// time, one urgent ticket left waiting past its SLA, and a HIPAA security incident assessed and notified.
import { day, practiceList, type DemoContext } from './context.js';

const devices = { thirdParty: 3, jointVenture: 4, captive: 6 } as const;

export function helpdeskStage(ctx: DemoContext): void {
  ctx.on(day(5), async () => {
    for (const p of practiceList(ctx)) {
      for (let i = 0; i < devices[p.key]; i++) await p.api.post('/v1/helpdesk/assets', { name: `Workstation ${i + 1}`, type: i % 3 === 2 ? 'laptop' : 'desktop' });
      ctx.progress(`helpdesk: ${p.name}: ${devices[p.key]} devices registered`);
    }
  });

  ctx.on(day(24), async () => {
    for (const p of practiceList(ctx)) {
      const agent = ctx.admin.forPractice(p.id);
      for (const [i, subject] of ['Printer jams at check-in', 'EHR login slow in exam room 2'].entries()) {
        const t = await p.api.post('/v1/helpdesk/tickets', { subject, description: 'Reported by the front desk.', priority: 'normal', category: i === 0 ? 'hardware' : 'ehr' });
        await agent.post(`/v1/helpdesk/tickets/${t.id}/replies`, { body: 'Looking into it now.' });
        await agent.post(`/v1/helpdesk/tickets/${t.id}/status`, { status: 'resolved', reason: 'fixed on site' });
      }
    }
    // An urgent ticket at the joint venture nobody answers: its first-response SLA breaches.
    const jv = ctx.practices.jointVenture;
    const urgent = await jv.api.post('/v1/helpdesk/tickets', { subject: 'Scheduling system down', description: 'No one can book appointments.', priority: 'urgent', category: 'software' });
    ctx.state.urgentTicket = urgent.id;
    // A HIPAA security incident at the captive PC: a laptop with unencrypted PHI lost.
    const captive = ctx.practices.captive;
    const incident = await captive.api.post('/v1/helpdesk/tickets', { subject: 'Laptop lost', description: 'A clinic laptop was left on a train.', priority: 'high', category: 'security-incident', discoveredAt: `${day(24)}T12:30:00Z` });
    const agent = ctx.admin.forPractice(captive.id);
    await agent.put(`/v1/helpdesk/tickets/${incident.id}/security-incident`, {
      riskAssessment: {
        natureAndExtent: { risk: 'medium', notes: 'schedules and visit notes of about 40 patients' },
        unauthorizedRecipient: { risk: 'medium' },
        acquiredOrViewed: { risk: 'low', notes: 'password protected, not encrypted' },
        mitigation: { risk: 'low', notes: 'remote wipe sent' },
      },
      phiEncrypted: false,
      individualsAffected: 40,
    });
    await agent.post(`/v1/helpdesk/tickets/${incident.id}/security-incident/notifications`, { recipient: 'practice' });
    await agent.post(`/v1/helpdesk/tickets/${incident.id}/replies`, { body: 'Incident logged; the privacy officer is informed.' });
    ctx.state.incidentTicket = incident.id;
    ctx.progress('helpdesk: 6 tickets answered and resolved, 1 urgent ticket waiting, 1 HIPAA security incident assessed and the practice notified');
  });

  ctx.on(day(26), async () => {
    const jv = ctx.practices.jointVenture;
    const agent = ctx.admin.forPractice(jv.id);
    await agent.post(`/v1/helpdesk/tickets/${ctx.state.urgentTicket}/replies`, { body: 'Sorry for the wait: the vendor restored the service.' });
    await agent.post(`/v1/helpdesk/tickets/${ctx.state.urgentTicket}/status`, { status: 'resolved', reason: 'vendor outage' });
    ctx.progress(`helpdesk: ${jv.name}: the urgent ticket answered and resolved two days late, past its SLA`);
  });
}
