-- The tenant wall (packages/db/src/tenant-wall.ts, docs/kit/tenant-wall.md) on tenancy's tables that
-- belong to a practice: its agreements, its API keys, its audit events. Rows of no practice (MSO keys,
-- audit events of platform work) are the platform scope's. Statements from tenantWallSql().
ALTER TABLE "tenancy"."agreements" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "tenancy"."agreements" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "tenancy"."agreements" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "tenancy"."api_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "tenancy"."api_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "tenancy"."api_keys" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "tenancy"."audit_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "tenancy"."audit_events" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "tenancy"."audit_events" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR coalesce(nullif(practice_id, '-'), '') = coalesce(current_setting('mso.practice_id', true), '')) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR coalesce(nullif(practice_id, '-'), '') = coalesce(current_setting('mso.practice_id', true), ''));
