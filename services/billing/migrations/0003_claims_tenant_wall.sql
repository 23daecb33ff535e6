-- The tenant wall on the claim tables (docs/kit/tenant-wall.md), and what they allow the service role.
ALTER TABLE "billing"."acknowledgments" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."acknowledgments" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."acknowledgments" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."batch_claims" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."batch_claims" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."batch_claims" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."charges" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."charges" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."charges" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."claim_adjudications" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."claim_adjudications" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."claim_adjudications" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."claim_batches" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."claim_batches" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."claim_batches" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."claim_history" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."claim_history" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."claim_history" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."claim_imports" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."claim_imports" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."claim_imports" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."claim_lines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."claim_lines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."claim_lines" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."claims" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."claims" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."claims" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."denial_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."denial_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."denial_items" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."encounters" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."encounters" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."encounters" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."missing_era_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."missing_era_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."missing_era_items" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."provider_credentials" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."provider_credentials" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."provider_credentials" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."remittance_claims" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."remittance_claims" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."remittance_claims" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."remittance_files" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."remittance_files" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."remittance_files" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."remittance_provider_adjustments" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."remittance_provider_adjustments" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."remittance_provider_adjustments" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."remittances" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."remittances" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."remittances" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."timely_filing_deadlines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."timely_filing_deadlines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."timely_filing_deadlines" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."work_scans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."work_scans" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."work_scans" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "billing"."write_offs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing"."write_offs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "billing"."write_offs" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
-- History and postings are append-only for the service (a correction is a new row).
REVOKE UPDATE, DELETE ON "billing"."claim_history" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."claim_adjudications" FROM mso_service;

--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."write_offs" FROM mso_service;
--> statement-breakpoint
-- X12 files sent and read are kept as they were.
REVOKE UPDATE, DELETE ON "billing"."claim_batches" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."batch_claims" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."acknowledgments" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."claim_imports" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."remittance_files" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "billing"."remittance_provider_adjustments" FROM mso_service;
