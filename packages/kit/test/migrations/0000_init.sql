CREATE SCHEMA IF NOT EXISTS "kit_test";
--> statement-breakpoint
CREATE TABLE "kit_test"."notes" (
	"id" text PRIMARY KEY NOT NULL,
	"practice_id" text NOT NULL,
	"body" text NOT NULL
);
