-- Collections: guarantor accounts, insurance pending, account history, payments, refunds, write-offs, payment plans.
CREATE SCHEMA "collections";
--> statement-breakpoint
CREATE TABLE "collections"."account_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"practice_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"claim_id" uuid,
	"kind" text NOT NULL,
	"amount_cents" bigint DEFAULT 0 NOT NULL,
	"on" date NOT NULL,
	"ref_id" uuid,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."balance_items" (
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"service_date" date,
	"charge_cents" bigint DEFAULT 0 NOT NULL,
	"insurance_paid_cents" bigint DEFAULT 0 NOT NULL,
	"adjustment_cents" bigint DEFAULT 0 NOT NULL,
	"responsibility_cents" bigint DEFAULT 0 NOT NULL,
	"paid_cents" bigint DEFAULT 0 NOT NULL,
	"written_off_cents" bigint DEFAULT 0 NOT NULL,
	"adjudicated_on" date NOT NULL,
	"first_statement_on" date,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "balance_items_practice_id_claim_id_pk" PRIMARY KEY("practice_id","claim_id")
);
--> statement-breakpoint
CREATE TABLE "collections"."balance_lines" (
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"line_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"service_date" date,
	"amount_cents" bigint NOT NULL,
	CONSTRAINT "balance_lines_practice_id_claim_id_line_id_reason_pk" PRIMARY KEY("practice_id","claim_id","line_id","reason")
);
--> statement-breakpoint
CREATE TABLE "collections"."guarantors" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"name" text,
	"mailing_address" jsonb,
	"email" text,
	"phone" text,
	"time_zone" text,
	"preferred_channel" text DEFAULT 'mail' NOT NULL,
	"consent" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"hold" boolean DEFAULT false NOT NULL,
	"credit_cents" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."insurance_claims" (
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"charge_cents" bigint DEFAULT 0 NOT NULL,
	"service_date" date,
	"submitted_at" timestamp with time zone,
	"voided" boolean DEFAULT false NOT NULL,
	"adjudications" integer DEFAULT 0 NOT NULL,
	"adjudicated_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "insurance_claims_practice_id_claim_id_pk" PRIMARY KEY("practice_id","claim_id")
);
--> statement-breakpoint
CREATE TABLE "collections"."payment_applications" (
	"practice_id" uuid NOT NULL,
	"payment_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	CONSTRAINT "payment_applications_practice_id_payment_id_claim_id_pk" PRIMARY KEY("practice_id","payment_id","claim_id")
);
--> statement-breakpoint
CREATE TABLE "collections"."payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"method" text NOT NULL,
	"reference" text,
	"claim_id" uuid,
	"credit_cents" bigint NOT NULL,
	"plan_id" uuid,
	"received_on" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."refunds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"payment_id" uuid,
	"amount_cents" bigint NOT NULL,
	"refunded_on" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."payment_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"total_cents" bigint NOT NULL,
	"installment_count" integer NOT NULL,
	"min_installment_cents" bigint NOT NULL,
	"first_due_on" date NOT NULL,
	"grace_days" integer NOT NULL,
	"status" text NOT NULL,
	"paid_cents" bigint DEFAULT 0 NOT NULL,
	"defaulted_on" date,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."plan_installments" (
	"practice_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"due_on" date NOT NULL,
	"amount_cents" bigint NOT NULL,
	"paid_cents" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "plan_installments_practice_id_plan_id_number_pk" PRIMARY KEY("practice_id","plan_id","number")
);
--> statement-breakpoint
CREATE TABLE "collections"."practice_settings" (
	"practice_id" uuid PRIMARY KEY NOT NULL,
	"small_balance_threshold_cents" bigint DEFAULT 0 NOT NULL,
	"plan_grace_days" integer DEFAULT 15 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections"."write_offs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"guarantor_id" uuid NOT NULL,
	"claim_id" uuid,
	"amount_cents" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"applications" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_by" text,
	"decided_by" text,
	"on" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "account_history_guarantor" ON "collections"."account_history" USING btree ("practice_id","guarantor_id","seq");--> statement-breakpoint
CREATE INDEX "balance_items_guarantor" ON "collections"."balance_items" USING btree ("practice_id","guarantor_id","adjudicated_on");--> statement-breakpoint
CREATE UNIQUE INDEX "guarantors_patient" ON "collections"."guarantors" USING btree ("practice_id","patient_id");--> statement-breakpoint
CREATE INDEX "insurance_claims_patient" ON "collections"."insurance_claims" USING btree ("practice_id","patient_id");--> statement-breakpoint
CREATE INDEX "payments_guarantor" ON "collections"."payments" USING btree ("practice_id","guarantor_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_received" ON "collections"."payments" USING btree ("practice_id","received_on");--> statement-breakpoint
CREATE INDEX "refunds_guarantor" ON "collections"."refunds" USING btree ("practice_id","guarantor_id");--> statement-breakpoint
CREATE INDEX "payment_plans_guarantor" ON "collections"."payment_plans" USING btree ("practice_id","guarantor_id","status");--> statement-breakpoint
CREATE INDEX "write_offs_guarantor" ON "collections"."write_offs" USING btree ("practice_id","guarantor_id","created_at");--> statement-breakpoint
-- The tenant wall (docs/kit/tenant-wall.md) on every table with a practice_id.
ALTER TABLE "collections"."account_history" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."account_history" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."account_history" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."balance_items" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."balance_items" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."balance_items" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."balance_lines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."balance_lines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."balance_lines" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."guarantors" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."guarantors" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."guarantors" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."insurance_claims" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."insurance_claims" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."insurance_claims" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."payment_applications" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."payment_applications" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."payment_applications" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."payments" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."payments" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."payments" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."refunds" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."refunds" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."refunds" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."payment_plans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."payment_plans" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."payment_plans" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."plan_installments" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."plan_installments" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."plan_installments" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."practice_settings" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."practice_settings" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."practice_settings" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "collections"."write_offs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "collections"."write_offs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "collections"."write_offs" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
