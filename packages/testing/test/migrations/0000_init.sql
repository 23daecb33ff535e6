CREATE SCHEMA IF NOT EXISTS "harness_test";
--> statement-breakpoint
CREATE TABLE "harness_test"."notes" (
	"id" text PRIMARY KEY NOT NULL,
	"practice_id" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "harness_test"."digests" (
	"practice_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"notes" integer NOT NULL
);
