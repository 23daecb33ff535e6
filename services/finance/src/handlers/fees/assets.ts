// The device view per-seat fees count: every registration and retirement helpdesk announces.
import { assetRegistered, assetRetired } from '@mso/contracts/helpdesk';
import { consume, type ConsumerContext } from '@mso/kit';
import { feeAssetChanges } from '../../db/schema.js';

type AssetEvent = { id: string; data: { assetId: string; practiceId: string; kind: string; at: string } };

const record = (change: 'registered' | 'retired') => async (event: AssetEvent, ctx: ConsumerContext) => {
  // Keyed by the event id, so a change is kept once; the order changes arrive in does not matter.
  await ctx.db
    .insert(feeAssetChanges)
    .values({ id: event.id, practiceId: event.data.practiceId, assetId: event.data.assetId, kind: event.data.kind, change, at: new Date(event.data.at) })
    .onConflictDoNothing();
};

export const assetConsumers = [consume(assetRegistered, record('registered')), consume(assetRetired, record('retired'))];
