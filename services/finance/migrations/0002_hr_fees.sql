CREATE TABLE "finance"."fee_employments" (
	"employment_id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"start_date" date,
	"last_day" date,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_staff_costs" (
	"run_id" uuid NOT NULL,
	"practice_id" uuid NOT NULL,
	"employer" text NOT NULL,
	"period_end" date NOT NULL,
	"period" text NOT NULL,
	"cost_cents" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fee_staff_costs_run_id_practice_id_pk" PRIMARY KEY("run_id","practice_id")
);
--> statement-breakpoint
CREATE INDEX "fee_employments_practice" ON "finance"."fee_employments" USING btree ("practice_id");--> statement-breakpoint
CREATE INDEX "fee_staff_costs_practice_period" ON "finance"."fee_staff_costs" USING btree ("practice_id","period");--> statement-breakpoint
-- The tenant wall (docs/kit/tenant-wall.md) on the new tables.
ALTER TABLE "finance"."fee_employments" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_employments" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_employments" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_staff_costs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_staff_costs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_staff_costs" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
-- Payroll is booked to accrued payroll (2400, in every chart from the template): the template's account
-- gets its system key in the books opened before it had one (reading every entity's chart).
SELECT set_config('mso.all_practices', 'on', true);
--> statement-breakpoint
UPDATE "finance"."accounts" SET "key" = 'accrued-payroll', "system" = true WHERE "code" = '2400' AND "key" IS NULL;
--> statement-breakpoint
SELECT set_config('mso.all_practices', '', true);
