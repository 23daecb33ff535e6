CREATE SCHEMA IF NOT EXISTS "kit_ledger";
--> statement-breakpoint
CREATE TABLE "kit_ledger"."accounts" (
	"practice_id" text NOT NULL,
	"id" text NOT NULL,
	"balance_cents" bigint NOT NULL,
	PRIMARY KEY ("practice_id", "id")
);
--> statement-breakpoint
CREATE TABLE "kit_ledger"."transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"practice_id" text NOT NULL,
	"from_account" text NOT NULL,
	"to_account" text NOT NULL,
	"cents" bigint NOT NULL
);
