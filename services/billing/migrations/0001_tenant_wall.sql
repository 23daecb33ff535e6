-- The tenant wall (packages/db/src/tenant-wall.ts, docs/kit/tenant-wall.md): row-level security on
-- every table with a practice_id, behind the queries' own practice filters. Statements from
-- tenantWallSql(); the service runs as mso_service, scoped to one practice per transaction.
ALTER TABLE "billing"."coverages" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."coverages" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."coverages" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."fee_entries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."fee_entries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."fee_entries" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."fee_schedules" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."fee_schedules" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."fee_schedules" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."patients" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."patients" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."patients" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."payers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."payers" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."payers" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."providers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."providers" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."providers" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
