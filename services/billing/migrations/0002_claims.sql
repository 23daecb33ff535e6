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
CREATE TABLE "billing"."acknowledgments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"sha256" text NOT NULL,
	"file" "bytea" NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."batch_claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"patient_control_number" text NOT NULL,
	"charge_cents" bigint NOT NULL,
	"transaction_control_number" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."claim_batches" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"payer_id" uuid NOT NULL,
	"control_number" integer NOT NULL,
	"usage" text NOT NULL,
	"claim_count" integer NOT NULL,
	"total_charge_cents" bigint NOT NULL,
	"transaction_count" integer NOT NULL,
	"file" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."claim_imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"file" "bytea" NOT NULL,
	"claim_count" integer NOT NULL,
	"total_charge_cents" bigint NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."remittance_claims" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"remittance_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"patient_control_number" text NOT NULL,
	"claim_id" uuid,
	"adjudication_id" uuid,
	"state" text NOT NULL,
	"unmatched_reason" text,
	"status_code" text NOT NULL,
	"payer_claim_control_number" text,
	"charge_cents" bigint NOT NULL,
	"paid_cents" bigint NOT NULL,
	"patient_responsibility_cents" bigint NOT NULL,
	"adjustments" jsonb NOT NULL,
	"era" jsonb,
	"patient" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"matched_at" timestamp with time zone,
	"matched_by" text
);
--> statement-breakpoint
CREATE TABLE "billing"."remittance_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"received_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."remittance_provider_adjustments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"remittance_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"provider_identifier" text NOT NULL,
	"fiscal_period_date" text NOT NULL,
	"reason" text NOT NULL,
	"reference" text,
	"amount_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."remittances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"control_number" text NOT NULL,
	"payer_identifier" text NOT NULL,
	"payer_name" text NOT NULL,
	"payer_id" uuid,
	"trace_number" text NOT NULL,
	"payment_amount_cents" bigint NOT NULL,
	"payment_method" text NOT NULL,
	"payment_date" date NOT NULL,
	"claim_count" integer NOT NULL,
	"matched_claim_count" integer NOT NULL,
	"claim_payment_cents" bigint NOT NULL,
	"warnings" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"posted_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."denial_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"line_id" uuid,
	"line_key" text NOT NULL,
	"adjudication_id" uuid NOT NULL,
	"denied_on" date NOT NULL,
	"denied_cents" bigint NOT NULL,
	"adjustments" jsonb NOT NULL,
	"remarks" jsonb NOT NULL,
	"status" text NOT NULL,
	"assignee" text,
	"follow_up_on" date,
	"appeal_deadline" date,
	"appealed_at" timestamp with time zone,
	"resubmitted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"notes" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."missing_era_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"threshold_days" integer NOT NULL,
	"overdue_since" date NOT NULL,
	"status" text NOT NULL,
	"assignee" text,
	"follow_up_on" date,
	"notes" jsonb NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."timely_filing_deadlines" (
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"limit_days" integer NOT NULL,
	"limit_source" text NOT NULL,
	"deadline" date NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."work_scans" (
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"through" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."write_offs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"claim_id" uuid NOT NULL,
	"line_id" uuid,
	"denial_item_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"reason" text NOT NULL,
	"note" text,
	"written_off_on" date NOT NULL,
	"by" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing"."provider_credentials" (
	"practice_id" uuid NOT NULL,
	"npi" text NOT NULL,
	"licences" jsonb NOT NULL,
	"enrollments" jsonb NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "provider_credentials_practice_id_npi_pk" PRIMARY KEY("practice_id","npi")
);
--> statement-breakpoint
ALTER TABLE "billing"."providers" ALTER COLUMN "taxonomy_code" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "billing"."coverages" ADD COLUMN "import_id" uuid;--> statement-breakpoint
ALTER TABLE "billing"."providers" ADD COLUMN "address" jsonb;--> statement-breakpoint
ALTER TABLE "billing"."providers" ADD COLUMN "tax_id" text;--> statement-breakpoint
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
ALTER TABLE "billing"."batch_claims" ADD CONSTRAINT "batch_claims_batch_id_claim_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "billing"."claim_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."batch_claims" ADD CONSTRAINT "batch_claims_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."claim_batches" ADD CONSTRAINT "claim_batches_payer_id_payers_id_fk" FOREIGN KEY ("payer_id") REFERENCES "billing"."payers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."remittance_claims" ADD CONSTRAINT "remittance_claims_remittance_id_remittances_id_fk" FOREIGN KEY ("remittance_id") REFERENCES "billing"."remittances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."remittance_claims" ADD CONSTRAINT "remittance_claims_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."remittance_claims" ADD CONSTRAINT "remittance_claims_adjudication_id_claim_adjudications_id_fk" FOREIGN KEY ("adjudication_id") REFERENCES "billing"."claim_adjudications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."remittance_provider_adjustments" ADD CONSTRAINT "remittance_provider_adjustments_remittance_id_remittances_id_fk" FOREIGN KEY ("remittance_id") REFERENCES "billing"."remittances"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."remittances" ADD CONSTRAINT "remittances_file_id_remittance_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "billing"."remittance_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."remittances" ADD CONSTRAINT "remittances_payer_id_payers_id_fk" FOREIGN KEY ("payer_id") REFERENCES "billing"."payers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."denial_items" ADD CONSTRAINT "denial_items_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."denial_items" ADD CONSTRAINT "denial_items_line_id_claim_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "billing"."claim_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."denial_items" ADD CONSTRAINT "denial_items_adjudication_id_claim_adjudications_id_fk" FOREIGN KEY ("adjudication_id") REFERENCES "billing"."claim_adjudications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."missing_era_items" ADD CONSTRAINT "missing_era_items_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."timely_filing_deadlines" ADD CONSTRAINT "timely_filing_deadlines_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."write_offs" ADD CONSTRAINT "write_offs_claim_id_claims_id_fk" FOREIGN KEY ("claim_id") REFERENCES "billing"."claims"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."write_offs" ADD CONSTRAINT "write_offs_line_id_claim_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "billing"."claim_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing"."write_offs" ADD CONSTRAINT "write_offs_denial_item_id_denial_items_id_fk" FOREIGN KEY ("denial_item_id") REFERENCES "billing"."denial_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
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
CREATE INDEX "encounters_practice_patient" ON "billing"."encounters" USING btree ("practice_id","patient_id");--> statement-breakpoint
CREATE UNIQUE INDEX "acknowledgments_practice_sha256" ON "billing"."acknowledgments" USING btree ("practice_id","sha256");--> statement-breakpoint
CREATE INDEX "acknowledgments_practice_created" ON "billing"."acknowledgments" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "batch_claims_batch_position" ON "billing"."batch_claims" USING btree ("practice_id","batch_id","position");--> statement-breakpoint
CREATE INDEX "batch_claims_claim" ON "billing"."batch_claims" USING btree ("practice_id","claim_id");--> statement-breakpoint
CREATE UNIQUE INDEX "claim_batches_practice_control" ON "billing"."claim_batches" USING btree ("practice_id","control_number");--> statement-breakpoint
CREATE INDEX "claim_batches_practice_created" ON "billing"."claim_batches" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "claim_imports_practice_sha256" ON "billing"."claim_imports" USING btree ("practice_id","sha256");--> statement-breakpoint
CREATE INDEX "claim_imports_practice_created" ON "billing"."claim_imports" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "remittance_claims_remittance_seq" ON "billing"."remittance_claims" USING btree ("practice_id","remittance_id","seq");--> statement-breakpoint
CREATE INDEX "remittance_claims_practice_state" ON "billing"."remittance_claims" USING btree ("practice_id","state","created_at","id");--> statement-breakpoint
CREATE INDEX "remittance_files_practice_sha" ON "billing"."remittance_files" USING btree ("practice_id","sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "remittance_provider_adjustments_seq" ON "billing"."remittance_provider_adjustments" USING btree ("practice_id","remittance_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "remittances_practice_payer_trace" ON "billing"."remittances" USING btree ("practice_id","payer_identifier","trace_number");--> statement-breakpoint
CREATE INDEX "remittances_practice_created" ON "billing"."remittances" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "denial_items_posting_line" ON "billing"."denial_items" USING btree ("practice_id","adjudication_id","line_key");--> statement-breakpoint
CREATE INDEX "denial_items_practice_status" ON "billing"."denial_items" USING btree ("practice_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "denial_items_practice_claim" ON "billing"."denial_items" USING btree ("practice_id","claim_id");--> statement-breakpoint
CREATE UNIQUE INDEX "missing_era_items_submission" ON "billing"."missing_era_items" USING btree ("practice_id","claim_id","submitted_at");--> statement-breakpoint
CREATE INDEX "missing_era_items_practice_status" ON "billing"."missing_era_items" USING btree ("practice_id","status","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "timely_filing_deadlines_claim" ON "billing"."timely_filing_deadlines" USING btree ("practice_id","claim_id");--> statement-breakpoint
CREATE INDEX "timely_filing_deadlines_practice_deadline" ON "billing"."timely_filing_deadlines" USING btree ("practice_id","deadline");--> statement-breakpoint
CREATE UNIQUE INDEX "work_scans_practice_name" ON "billing"."work_scans" USING btree ("practice_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "write_offs_denial_item" ON "billing"."write_offs" USING btree ("practice_id","denial_item_id");--> statement-breakpoint
CREATE INDEX "write_offs_practice_claim" ON "billing"."write_offs" USING btree ("practice_id","claim_id");