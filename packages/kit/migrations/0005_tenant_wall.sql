-- The tenant wall (packages/db/src/tenant-wall.ts) on the kit's idempotency records: a stored reply
-- belongs to the practice that made the request; platform requests' records (practice_id '-') are the
-- platform scope's. The kit's other tables that carry a practice_id are its own machinery's, read
-- across practices by the outbox relay, the scheduler and the agreement view (KIT_TABLES_OUTSIDE_WALL).
ALTER TABLE mso_idempotency ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE mso_idempotency FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON mso_idempotency AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR coalesce(nullif(practice_id, '-'), '') = coalesce(current_setting('mso.practice_id', true), '')) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR coalesce(nullif(practice_id, '-'), '') = coalesce(current_setting('mso.practice_id', true), ''));
