import { describe, expect, it } from 'vitest';
import { progressLine } from './job-wait.js';

describe('mso job wait progress bar', () => {
  it('fills in proportion to done/total and names the status', () => {
    expect(progressLine({ status: 'queued', progress: { done: 0, total: 0 } })).toBe(`[${'-'.repeat(30)}]   0% queued`);
    expect(progressLine({ status: 'running', progress: { done: 15, total: 60 } })).toBe(`[${'#'.repeat(8)}${'-'.repeat(22)}]  25% 15/60 running`);
    expect(progressLine({ status: 'succeeded', progress: { done: 60, total: 60 } })).toBe(`[${'#'.repeat(30)}] 100% 60/60 succeeded`);
  });
});
