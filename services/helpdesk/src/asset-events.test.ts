import { afterAll, beforeAll, expect, it } from 'vitest';
import { assetRegistered, assetRetired, createAsset, updateAsset } from '@mso/contracts/helpdesk';
import { testService, type TestService } from '@mso/testing';
import { helpdesk } from './service.js';

// Finance counts a practice's devices for per-seat fees from these events.
let t: TestService;
let practiceId: string;

beforeAll(async () => {
  t = await testService(helpdesk, { clock: '2026-03-02T15:00:00Z' });
  practiceId = await t.practice();
});
afterAll(async () => {
  await t?.close();
});

const as = () => ({ practiceId, role: 'practice-admin' as const });

it('announces an asset entering and leaving the register, once per change', async () => {
  const laptop = await t.call(createAsset, { name: 'Front desk laptop', type: 'laptop', serialNumber: 'SN-EV-1' }, as());
  await t.call(createAsset, { name: 'Spare printer', type: 'printer', status: 'retired' }, as());
  t.clock.set('2026-03-20T10:00:00Z');
  await t.call(updateAsset, { id: laptop.id, assignedTo: 'Reception' }, as());
  await t.call(updateAsset, { id: laptop.id, status: 'lost' }, as());
  await t.call(updateAsset, { id: laptop.id, status: 'stolen' }, as());
  t.clock.set('2026-04-02T09:00:00Z');
  await t.call(updateAsset, { id: laptop.id, status: 'in-use' }, as());

  const registered = await t.events(assetRegistered);
  const retired = await t.events(assetRetired);
  expect(registered.map((e) => e.data)).toEqual([
    { assetId: laptop.id, practiceId, kind: 'laptop', at: '2026-03-02T15:00:00.000Z' },
    { assetId: laptop.id, practiceId, kind: 'laptop', at: '2026-04-02T09:00:00.000Z' },
  ]);
  expect(retired.map((e) => e.data)).toEqual([{ assetId: laptop.id, practiceId, kind: 'laptop', at: '2026-03-20T10:00:00.000Z' }]);
  expect(registered.every((e) => e.tenantid === practiceId && e.subject === laptop.id)).toBe(true);
});

it('announces nothing when the asset is refused', async () => {
  const before = (await t.events(assetRegistered)).length;
  await expect(t.call(createAsset, { name: 'Duplicate', type: 'laptop', serialNumber: 'SN-EV-1' }, as())).rejects.toMatchObject({ status: 409 });
  expect(await t.events(assetRegistered)).toHaveLength(before);
});
