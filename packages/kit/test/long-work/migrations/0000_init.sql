CREATE SCHEMA IF NOT EXISTS "cli_long_work";
--> statement-breakpoint
CREATE TABLE "cli_long_work"."batch_lines" (
	"batch" text NOT NULL,
	"n" integer NOT NULL,
	"practice_id" text NOT NULL,
	PRIMARY KEY ("batch", "n")
);
