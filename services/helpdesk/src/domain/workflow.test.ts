import { describe, expect, it } from 'vitest';
import { ProblemError } from '@mso/contracts';
import { checkTransition, clockEffect, statusAfterReply } from './workflow.js';

const code = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as ProblemError).code;
  }
};

describe('ticket workflow', () => {
  it('lets staff move tickets along the workflow and refuses moves it does not have', () => {
    expect(code(() => checkTransition('new', 'pending-customer', 'mso-staff'))).toBe('ok');
    expect(code(() => checkTransition('resolved', 'pending-customer', 'mso-staff'))).toBe('conflict');
    expect(code(() => checkTransition('open', 'open', 'mso-staff'))).toBe('conflict');
    expect(code(() => checkTransition('closed', 'open', 'mso-admin'))).toBe('conflict');
    expect(() => checkTransition('closed', 'open', 'mso-admin')).toThrow(/new ticket/);
  });

  it('lets the practice resolve, close and reopen, not park a ticket', () => {
    expect(code(() => checkTransition('open', 'resolved', 'practice-user'))).toBe('ok');
    expect(code(() => checkTransition('resolved', 'open', 'practice-user'))).toBe('ok');
    expect(code(() => checkTransition('open', 'closed', 'practice-admin'))).toBe('ok');
    expect(code(() => checkTransition('open', 'pending-third-party', 'practice-admin'))).toBe('forbidden');
  });

  it('pauses in pending states, resumes out of them, stops at resolution', () => {
    expect(clockEffect('open', 'pending-customer')).toBe('pause');
    expect(clockEffect('pending-customer', 'pending-third-party')).toBe('none');
    expect(clockEffect('pending-third-party', 'open')).toBe('resume');
    expect(clockEffect('pending-customer', 'resolved')).toBe('stop');
    expect(clockEffect('resolved', 'closed')).toBe('none');
    expect(clockEffect('resolved', 'open')).toBe('resume');
    expect(clockEffect('new', 'open')).toBe('none');
  });

  it('opens a new ticket on the first staff reply and brings it back when the practice answers', () => {
    expect(statusAfterReply('new', 'mso-staff')).toBe('open');
    expect(statusAfterReply('pending-customer', 'mso-staff')).toBe('pending-customer');
    expect(statusAfterReply('pending-customer', 'practice-user')).toBe('open');
    expect(statusAfterReply('pending-third-party', 'practice-user')).toBe('pending-third-party');
    expect(statusAfterReply('resolved', 'practice-user')).toBe('open');
    expect(() => statusAfterReply('closed', 'practice-user')).toThrow(ProblemError);
  });
});
