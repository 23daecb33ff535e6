-- Collections: statements and their runs, the practice profile printed on them, dunning policies and
-- positions, collection agencies and placements; each behind the tenant wall.
CREATE TABLE "collections"."practice_profiles" (
	"practice_id" uuid PRIMARY KEY NOT NULL,
	"profile" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."statement_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"run_date" date NOT NULL,
	"trigger" text NOT NULL,
	"statement_count" integer DEFAULT 0 NOT NULL,
	"amount_due_cents" bigint DEFAULT 0 NOT NULL,
	"statement_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"skipped" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."statements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"run_id" uuid,
	"guarantor_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"statement_date" date NOT NULL,
	"pay_by_date" date NOT NULL,
	"payment_reference" text NOT NULL,
	"document" jsonb NOT NULL,
	"amount_due_cents" bigint NOT NULL,
	"channel" text NOT NULL,
	"consent" boolean NOT NULL,
	"time_zone" text NOT NULL,
	"delivery" text NOT NULL,
	"sent_at" timestamp with time zone,
	"queued_until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."dunning_policies" (
	"practice_id" uuid PRIMARY KEY NOT NULL,
	"policy" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."dunning_positions" (
	"practice_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"step" text NOT NULL,
	"step_on" date NOT NULL,
	"next_step_on" date,
	"paused_until" date,
	"payment_seen_on" date,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dunning_positions_practice_id_guarantor_id_pk" PRIMARY KEY("practice_id","guarantor_id")
);
--> statement-breakpoint
CREATE TABLE "collections"."agencies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"fee_basis_points" integer,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."placements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"agency_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"status" text NOT NULL,
	"source" text NOT NULL,
	"placed_on" date NOT NULL,
	"placed_cents" bigint NOT NULL,
	"recovered_cents" bigint DEFAULT 0 NOT NULL,
	"write_off_id" uuid,
	"recalled_on" date,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "statement_runs_practice_date" ON "collections"."statement_runs" USING btree ("practice_id","run_date");
--> statement-breakpoint
CREATE UNIQUE INDEX "statements_guarantor_kind_date" ON "collections"."statements" USING btree ("practice_id","guarantor_id","kind","statement_date");
--> statement-breakpoint
CREATE UNIQUE INDEX "statements_reference" ON "collections"."statements" USING btree ("practice_id","payment_reference");
--> statement-breakpoint
CREATE INDEX "statements_queued" ON "collections"."statements" USING btree ("practice_id","delivery","queued_until");
--> statement-breakpoint
CREATE INDEX "statements_sent" ON "collections"."statements" USING btree ("practice_id","sent_at");
--> statement-breakpoint
CREATE INDEX "agencies_practice" ON "collections"."agencies" USING btree ("practice_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "placements_one_open" ON "collections"."placements" USING btree ("practice_id","guarantor_id") WHERE status = 'placed';
--> statement-breakpoint
CREATE INDEX "placements_agency" ON "collections"."placements" USING btree ("practice_id","agency_id","placed_on");
--> statement-breakpoint
ALTER TABLE "collections"."agencies" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."agencies" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."agencies" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."dunning_policies" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."dunning_policies" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."dunning_policies" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."dunning_positions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."dunning_positions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."dunning_positions" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."placements" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."placements" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."placements" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."practice_profiles" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."practice_profiles" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."practice_profiles" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."statement_runs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."statement_runs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."statement_runs" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."statements" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."statements" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."statements" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
