CREATE TABLE "kit_batch"."entries" (
	"event_id" text PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"label" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kit_batch"."entries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "kit_batch"."entries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "kit_batch"."entries" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
