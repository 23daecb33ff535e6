CREATE TABLE "hr"."pto_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"practice_id" uuid,
	"employment_id" uuid NOT NULL,
	"leave_type" text NOT NULL,
	"kind" text NOT NULL,
	"hundredths" integer NOT NULL,
	"entry_date" date NOT NULL,
	"period" text,
	"request_id" uuid,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."pto_policies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"employer" text NOT NULL,
	"leave_type" text NOT NULL,
	"name" text NOT NULL,
	"accrual_hundredths" integer NOT NULL,
	"waiting_months" integer NOT NULL,
	"waiting_days" integer NOT NULL,
	"carry_over_cap_hundredths" integer,
	"max_balance_hundredths" integer,
	"allow_negative" boolean NOT NULL,
	"active" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."pto_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"employment_id" uuid NOT NULL,
	"leave_type" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"hundredths" integer NOT NULL,
	"status" text NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hr"."pto_entries" ADD CONSTRAINT "pto_entries_employment_id_employments_id_fk" FOREIGN KEY ("employment_id") REFERENCES "hr"."employments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."pto_entries" ADD CONSTRAINT "pto_entries_request_id_pto_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "hr"."pto_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."pto_requests" ADD CONSTRAINT "pto_requests_employment_id_employments_id_fk" FOREIGN KEY ("employment_id") REFERENCES "hr"."employments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pto_entries_period" ON "hr"."pto_entries" USING btree ("employment_id","leave_type","kind","period");--> statement-breakpoint
CREATE UNIQUE INDEX "pto_entries_request" ON "hr"."pto_entries" USING btree ("request_id","kind");--> statement-breakpoint
CREATE INDEX "pto_entries_practice" ON "hr"."pto_entries" USING btree ("practice_id");--> statement-breakpoint
CREATE UNIQUE INDEX "pto_policies_employer_leave_type" ON "hr"."pto_policies" USING btree ("employer","leave_type");--> statement-breakpoint
CREATE INDEX "pto_policies_practice" ON "hr"."pto_policies" USING btree ("practice_id");--> statement-breakpoint
CREATE INDEX "pto_requests_employment" ON "hr"."pto_requests" USING btree ("employment_id","leave_type","status");--> statement-breakpoint
CREATE INDEX "pto_requests_practice" ON "hr"."pto_requests" USING btree ("practice_id","status");
--> statement-breakpoint
-- The tenant wall (docs/kit/tenant-wall.md) on the PTO tables.
ALTER TABLE "hr"."pto_entries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."pto_entries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."pto_entries" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."pto_policies" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."pto_policies" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."pto_policies" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."pto_requests" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."pto_requests" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."pto_requests" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
-- Ledger entries are never changed: a correction is another entry.
CREATE FUNCTION "hr"."pto_entries_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hr.pto_entries rows are immutable: add an entry instead'; END $$;
--> statement-breakpoint
CREATE TRIGGER "pto_entries_immutable" BEFORE UPDATE ON "hr"."pto_entries" FOR EACH ROW EXECUTE FUNCTION "hr"."pto_entries_immutable"();
