CREATE SCHEMA IF NOT EXISTS "kit_idem";
--> statement-breakpoint
CREATE TABLE "kit_idem"."notes" (
	"id" text PRIMARY KEY NOT NULL,
	"practice_id" text NOT NULL,
	"body" text NOT NULL
);
