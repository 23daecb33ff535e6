CREATE SCHEMA "billing";
--> statement-breakpoint
CREATE TABLE "billing"."coverages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"payer_id" uuid NOT NULL,
	"member_id" text NOT NULL,
	"group_number" text,
	"relationship" text NOT NULL,
	"subscriber" jsonb,
	"coverage_order" text NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."fee_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"schedule_id" uuid NOT NULL,
	"code" text NOT NULL,
	"modifiers" jsonb NOT NULL,
	"modifiers_key" text NOT NULL,
	"charge_cents" integer NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."fee_schedules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"payer_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."patients" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"middle_name" text,
	"date_of_birth" date NOT NULL,
	"sex" text NOT NULL,
	"address" jsonb NOT NULL,
	"phone" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."payers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"edi_payer_id" text NOT NULL,
	"claim_filing_indicator_code" text NOT NULL,
	"timely_filing_days" integer,
	"eras_by_trace_number" boolean NOT NULL,
	"active" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."providers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"npi" text NOT NULL,
	"taxonomy_code" text NOT NULL,
	"name" text NOT NULL,
	"first_name" text,
	"active" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing"."coverages" ADD CONSTRAINT "coverages_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "billing"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."coverages" ADD CONSTRAINT "coverages_payer_id_payers_id_fk" FOREIGN KEY ("payer_id") REFERENCES "billing"."payers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."fee_entries" ADD CONSTRAINT "fee_entries_schedule_id_fee_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "billing"."fee_schedules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."fee_schedules" ADD CONSTRAINT "fee_schedules_payer_id_payers_id_fk" FOREIGN KEY ("payer_id") REFERENCES "billing"."payers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coverages_practice_created" ON "billing"."coverages" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "coverages_practice_patient" ON "billing"."coverages" USING btree ("practice_id","patient_id");--> statement-breakpoint
CREATE INDEX "fee_entries_schedule_code" ON "billing"."fee_entries" USING btree ("practice_id","schedule_id","code","modifiers_key");--> statement-breakpoint
CREATE INDEX "fee_entries_schedule_created" ON "billing"."fee_entries" USING btree ("practice_id","schedule_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "fee_schedules_practice_payer" ON "billing"."fee_schedules" USING btree ("practice_id",coalesce("payer_id", '00000000-0000-0000-0000-000000000000'::uuid));--> statement-breakpoint
CREATE INDEX "fee_schedules_practice_created" ON "billing"."fee_schedules" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "patients_practice_created" ON "billing"."patients" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "patients_practice_last_name" ON "billing"."patients" USING btree ("practice_id",lower("last_name"));--> statement-breakpoint
CREATE UNIQUE INDEX "payers_practice_edi_payer_id" ON "billing"."payers" USING btree ("practice_id","edi_payer_id");--> statement-breakpoint
CREATE INDEX "payers_practice_created" ON "billing"."payers" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "providers_practice_kind_npi" ON "billing"."providers" USING btree ("practice_id","kind","npi");--> statement-breakpoint
CREATE INDEX "providers_practice_created" ON "billing"."providers" USING btree ("practice_id","created_at","id");