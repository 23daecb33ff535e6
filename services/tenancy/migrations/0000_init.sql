CREATE SCHEMA IF NOT EXISTS "tenancy";
--> statement-breakpoint
CREATE TABLE "tenancy"."agreements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"model" text NOT NULL,
	"services" text[] NOT NULL,
	"fees" jsonb NOT NULL,
	"ownership" jsonb NOT NULL,
	"terms" jsonb NOT NULL,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenancy"."api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"key_hash" text NOT NULL,
	"role" text NOT NULL,
	"label" text NOT NULL,
	"practice_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "tenancy"."practices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"npi" text NOT NULL,
	"tax_id" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "practices_npi_unique" UNIQUE("npi")
);
--> statement-breakpoint
ALTER TABLE "tenancy"."agreements" ADD CONSTRAINT "agreements_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "tenancy"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenancy"."api_keys" ADD CONSTRAINT "api_keys_practice_id_practices_id_fk" FOREIGN KEY ("practice_id") REFERENCES "tenancy"."practices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agreements_practice_version" ON "tenancy"."agreements" USING btree ("practice_id","version");