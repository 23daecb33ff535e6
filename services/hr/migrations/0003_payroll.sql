CREATE TABLE "hr"."payroll_lines" (
	"run_id" uuid NOT NULL,
	"practice_id" uuid,
	"employment_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"basis" text NOT NULL,
	"rate_cents" bigint NOT NULL,
	"hours_hundredths" integer,
	"days_active" integer NOT NULL,
	"gross_cents" bigint NOT NULL,
	"employer_tax_cents" bigint NOT NULL,
	"benefits_cents" bigint NOT NULL,
	"cost_cents" bigint NOT NULL,
	"allocations" jsonb NOT NULL,
	CONSTRAINT "payroll_lines_run_id_employment_id_pk" PRIMARY KEY("run_id","employment_id")
);
--> statement-breakpoint
CREATE TABLE "hr"."payroll_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"employer" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"schedule" text NOT NULL,
	"employer_tax_basis_points" integer NOT NULL,
	"benefits_basis_points" integer NOT NULL,
	"employees" integer NOT NULL,
	"gross_cents" bigint NOT NULL,
	"employer_tax_cents" bigint NOT NULL,
	"benefits_cents" bigint NOT NULL,
	"cost_cents" bigint NOT NULL,
	"allocations" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."payroll_settings" (
	"employer" text PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"schedule" text NOT NULL,
	"first_period_start" date,
	"employer_tax_basis_points" integer NOT NULL,
	"benefits_basis_points" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hr"."payroll_lines" ADD CONSTRAINT "payroll_lines_run_id_payroll_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "hr"."payroll_runs"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "payroll_runs_employer_period" ON "hr"."payroll_runs" USING btree ("employer","period_start","period_end");
--> statement-breakpoint
CREATE INDEX "payroll_runs_period" ON "hr"."payroll_runs" USING btree ("period_end","id");
--> statement-breakpoint
-- The tenant wall (docs/kit/tenant-wall.md) on the payroll tables; the MSO's own rows have no practice_id.
ALTER TABLE "hr"."payroll_lines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."payroll_lines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."payroll_lines" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."payroll_runs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."payroll_runs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."payroll_runs" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."payroll_settings" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."payroll_settings" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."payroll_settings" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
