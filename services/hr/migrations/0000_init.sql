CREATE SCHEMA "hr";
--> statement-breakpoint
CREATE TABLE "hr"."employments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"person_id" uuid NOT NULL,
	"title" text NOT NULL,
	"department" text NOT NULL,
	"fte_hundredths" integer NOT NULL,
	"pay_basis" text NOT NULL,
	"pay_cents" bigint NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"manager_id" uuid,
	"allocations" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."people" (
	"id" uuid PRIMARY KEY NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"email" text,
	"ssn_last4" text NOT NULL,
	"ssn_hash" text NOT NULL,
	"date_of_birth" date NOT NULL,
	"home_address" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."credential_notices" (
	"practice_id" uuid NOT NULL,
	"credential_id" uuid NOT NULL,
	"expires_on" date NOT NULL,
	"threshold" integer NOT NULL,
	"emitted" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "credential_notices_credential_id_expires_on_threshold_pk" PRIMARY KEY("credential_id","expires_on","threshold")
);
--> statement-breakpoint
CREATE TABLE "hr"."credentials" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"state" text,
	"number" text,
	"issuer" text,
	"carrier" text,
	"limits" jsonb,
	"issued_on" date NOT NULL,
	"expires_on" date,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."enrollments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"provider_id" uuid NOT NULL,
	"payer_id" text NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."providers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"npi" text NOT NULL,
	"taxonomy" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"team" text NOT NULL,
	"title" text NOT NULL,
	"credential_id" uuid,
	"provider_id" uuid,
	"due_on" date NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "hr"."employments" ADD CONSTRAINT "employments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "hr"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."employments" ADD CONSTRAINT "employments_manager_id_people_id_fk" FOREIGN KEY ("manager_id") REFERENCES "hr"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."credential_notices" ADD CONSTRAINT "credential_notices_credential_id_credentials_id_fk" FOREIGN KEY ("credential_id") REFERENCES "hr"."credentials"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."credentials" ADD CONSTRAINT "credentials_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "hr"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."enrollments" ADD CONSTRAINT "enrollments_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "hr"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."providers" ADD CONSTRAINT "providers_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "hr"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "employments_person" ON "hr"."employments" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "employments_practice" ON "hr"."employments" USING btree ("practice_id");--> statement-breakpoint
CREATE UNIQUE INDEX "people_ssn_hash" ON "hr"."people" USING btree ("ssn_hash");--> statement-breakpoint
CREATE INDEX "people_name" ON "hr"."people" USING btree ("last_name","first_name","id");--> statement-breakpoint
CREATE INDEX "credentials_provider" ON "hr"."credentials" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "credentials_expiry" ON "hr"."credentials" USING btree ("practice_id","expires_on");--> statement-breakpoint
CREATE INDEX "enrollments_provider" ON "hr"."enrollments" USING btree ("provider_id");--> statement-breakpoint
CREATE UNIQUE INDEX "providers_practice_npi" ON "hr"."providers" USING btree ("practice_id","npi");--> statement-breakpoint
CREATE INDEX "tasks_due" ON "hr"."tasks" USING btree ("practice_id","status","due_on","id");