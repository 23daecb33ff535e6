CREATE TABLE "billing"."charges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"encounter_id" uuid NOT NULL,
	"procedure_code" text NOT NULL,
	"modifiers" jsonb NOT NULL,
	"units" double precision NOT NULL,
	"charge_cents" bigint,
	"diagnosis_pointers" jsonb NOT NULL,
	"service_date" date NOT NULL,
	"place_of_service" text,
	"rendering_provider_id" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."claim_adjudications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"source" text NOT NULL,
	"remittance_id" uuid,
	"status_code" text NOT NULL,
	"reversal" boolean NOT NULL,
	"reverses_id" uuid,
	"payer_claim_control_number" text,
	"paid_cents" bigint NOT NULL,
	"patient_responsibility_cents" bigint NOT NULL,
	"adjustments" jsonb NOT NULL,
	"lines" jsonb NOT NULL,
	"remarks" jsonb NOT NULL,
	"payment_date" date NOT NULL,
	"posted_at" timestamp with time zone NOT NULL,
	"posted_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."claim_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"by" text NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "billing"."claim_lines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"line_number" integer NOT NULL,
	"procedure_code" text NOT NULL,
	"modifiers" jsonb NOT NULL,
	"units" double precision NOT NULL,
	"charge_cents" bigint NOT NULL,
	"diagnosis_pointers" jsonb NOT NULL,
	"service_date" date NOT NULL,
	"place_of_service" text,
	"rendering_provider_id" uuid,
	"line_control_number" text NOT NULL,
	"paid_cents" bigint NOT NULL,
	"adjustment_cents" bigint NOT NULL,
	"patient_responsibility_cents" bigint NOT NULL,
	"denied" boolean NOT NULL,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_control_number" text NOT NULL,
	"status" text NOT NULL,
	"frequency_code" text NOT NULL,
	"payer_claim_control_number" text,
	"encounter_id" uuid,
	"import_id" uuid,
	"patient_id" uuid NOT NULL,
	"coverage_id" uuid,
	"payer_id" uuid NOT NULL,
	"billing_provider_id" uuid NOT NULL,
	"rendering_provider_id" uuid,
	"referring_provider" jsonb,
	"place_of_service" text NOT NULL,
	"diagnoses" jsonb NOT NULL,
	"service_date_from" date NOT NULL,
	"service_date_to" date NOT NULL,
	"prior_authorization" text,
	"charge_cents" bigint NOT NULL,
	"paid_cents" bigint NOT NULL,
	"adjustment_cents" bigint NOT NULL,
	"patient_responsibility_cents" bigint NOT NULL,
	"submission_count" integer NOT NULL,
	"first_submitted_at" timestamp with time zone,
	"last_submitted_at" timestamp with time zone,
	"accepted_on_first_submission" boolean,
	"batch_id" uuid,
	"forwarded_to" text,
	"rejection" jsonb,
	"findings" jsonb NOT NULL,
	"duplicate_key" text NOT NULL,
	"details" jsonb NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."encounters" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"coverage_id" uuid,
	"billing_provider_id" uuid NOT NULL,
	"rendering_provider_id" uuid,
	"referring_provider" jsonb,
	"place_of_service" text NOT NULL,
	"date_of_service" date NOT NULL,
	"diagnoses" jsonb NOT NULL,
	"prior_authorization" text,
	"status" text NOT NULL,
	"claim_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing"."charges" ADD CONSTRAINT "charges_encounter_id_encounters_id_fk" FOREIGN KEY ("encounter_id") REFERENCES "billing"."encounters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."charges" ADD CONSTRAINT "charges_rendering_provider_id_providers_id_fk" FOREIGN KEY ("rendering_provider_id") REFERENCES "billing"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claim_adjudications" ADD CONSTRAINT "claim_adjudications_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claim_history" ADD CONSTRAINT "claim_history_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claim_lines" ADD CONSTRAINT "claim_lines_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claim_lines" ADD CONSTRAINT "claim_lines_rendering_provider_id_providers_id_fk" FOREIGN KEY ("rendering_provider_id") REFERENCES "billing"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claims" ADD CONSTRAINT "claims_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "billing"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claims" ADD CONSTRAINT "claims_coverage_id_coverages_id_fk" FOREIGN KEY ("coverage_id") REFERENCES "billing"."coverages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claims" ADD CONSTRAINT "claims_payer_id_payers_id_fk" FOREIGN KEY ("payer_id") REFERENCES "billing"."payers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claims" ADD CONSTRAINT "claims_billing_provider_id_providers_id_fk" FOREIGN KEY ("billing_provider_id") REFERENCES "billing"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claims" ADD CONSTRAINT "claims_rendering_provider_id_providers_id_fk" FOREIGN KEY ("rendering_provider_id") REFERENCES "billing"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."encounters" ADD CONSTRAINT "encounters_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "billing"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."encounters" ADD CONSTRAINT "encounters_coverage_id_coverages_id_fk" FOREIGN KEY ("coverage_id") REFERENCES "billing"."coverages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."encounters" ADD CONSTRAINT "encounters_billing_provider_id_providers_id_fk" FOREIGN KEY ("billing_provider_id") REFERENCES "billing"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."encounters" ADD CONSTRAINT "encounters_rendering_provider_id_providers_id_fk" FOREIGN KEY ("rendering_provider_id") REFERENCES "billing"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "charges_practice_encounter" ON "billing"."charges" USING btree ("practice_id","encounter_id","created_at");--> statement-breakpoint
CREATE INDEX "claim_adjudications_claim" ON "billing"."claim_adjudications" USING btree ("practice_id","claim_id","posted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "claim_adjudications_reverses" ON "billing"."claim_adjudications" USING btree ("practice_id","reverses_id");--> statement-breakpoint
CREATE UNIQUE INDEX "claim_history_claim_seq" ON "billing"."claim_history" USING btree ("practice_id","claim_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "claim_lines_claim_number" ON "billing"."claim_lines" USING btree ("practice_id","claim_id","line_number");--> statement-breakpoint
CREATE UNIQUE INDEX "claims_practice_pcn" ON "billing"."claims" USING btree ("practice_id","patient_control_number");--> statement-breakpoint
CREATE INDEX "claims_practice_created" ON "billing"."claims" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "claims_practice_status" ON "billing"."claims" USING btree ("practice_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "claims_practice_payer_status" ON "billing"."claims" USING btree ("practice_id","payer_id","status");--> statement-breakpoint
CREATE INDEX "claims_practice_patient" ON "billing"."claims" USING btree ("practice_id","patient_id");--> statement-breakpoint
CREATE INDEX "claims_practice_duplicate_key" ON "billing"."claims" USING btree ("practice_id","duplicate_key");--> statement-breakpoint
CREATE INDEX "encounters_practice_created" ON "billing"."encounters" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "encounters_practice_patient" ON "billing"."encounters" USING btree ("practice_id","patient_id");