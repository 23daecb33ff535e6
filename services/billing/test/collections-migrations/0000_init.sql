CREATE SCHEMA IF NOT EXISTS "collections_e2e";
--> statement-breakpoint
CREATE TABLE "collections_e2e"."received" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"subject" text,
	"data" jsonb NOT NULL,
	"times" integer NOT NULL
);
