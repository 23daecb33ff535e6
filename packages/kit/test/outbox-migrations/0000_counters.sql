CREATE SCHEMA IF NOT EXISTS "outbox_test";
--> statement-breakpoint
CREATE TABLE "outbox_test"."counters" (
	"practice_id" text PRIMARY KEY NOT NULL,
	"n" integer NOT NULL
);
