CREATE SCHEMA "finance";
--> statement-breakpoint
CREATE TABLE "finance"."account_balances" (
	"practice_id" uuid,
	"account_id" uuid NOT NULL,
	"period" text NOT NULL,
	"debit_cents" bigint NOT NULL,
	"credit_cents" bigint NOT NULL,
	CONSTRAINT "account_balances_account_id_period_pk" PRIMARY KEY("account_id","period")
);
--> statement-breakpoint
CREATE TABLE "finance"."accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"key" text,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"normal_side" text NOT NULL,
	"system" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "accounts_practice_code" UNIQUE NULLS NOT DISTINCT("practice_id","code"),
	CONSTRAINT "accounts_type" CHECK ("finance"."accounts"."type" in ('asset', 'liability', 'equity', 'revenue', 'expense')),
	CONSTRAINT "accounts_normal_side" CHECK ("finance"."accounts"."normal_side" in ('debit', 'credit'))
);
--> statement-breakpoint
CREATE TABLE "finance"."balance_checks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"checked_at" timestamp with time zone NOT NULL,
	"accounts" integer NOT NULL,
	"mismatches" integer NOT NULL,
	"detail" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finance"."entities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"name" text NOT NULL,
	"fiscal_year_start_month" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "entities_practice" UNIQUE NULLS NOT DISTINCT("practice_id")
);
--> statement-breakpoint
CREATE TABLE "finance"."journal_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"practice_id" uuid,
	"date" date NOT NULL,
	"period" text NOT NULL,
	"shifted_from" text,
	"source_date" date NOT NULL,
	"memo" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_id" text NOT NULL,
	"source_by" text,
	"source_reason" text,
	"idempotency_key" text NOT NULL,
	"reverses" uuid,
	"posted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "journal_entries_practice_key" UNIQUE NULLS NOT DISTINCT("practice_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "finance"."journal_lines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"entry_id" uuid NOT NULL,
	"practice_id" uuid,
	"line_no" integer NOT NULL,
	"account_id" uuid NOT NULL,
	"date" date NOT NULL,
	"period" text NOT NULL,
	"debit_cents" bigint NOT NULL,
	"credit_cents" bigint NOT NULL,
	"ref" text,
	"flow" text,
	"memo" text,
	CONSTRAINT "journal_lines_one_side" CHECK ("finance"."journal_lines"."debit_cents" >= 0 and "finance"."journal_lines"."credit_cents" >= 0 and ("finance"."journal_lines"."debit_cents" = 0) <> ("finance"."journal_lines"."credit_cents" = 0))
);
--> statement-breakpoint
CREATE TABLE "finance"."periods" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"period" text NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"closed_by" text NOT NULL,
	CONSTRAINT "periods_practice_period" UNIQUE NULLS NOT DISTINCT("practice_id","period")
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_agreement_versions" (
	"practice_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"effective_from" date NOT NULL,
	"agreement" jsonb NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fee_agreement_versions_practice_id_version_pk" PRIMARY KEY("practice_id","version")
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_asset_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"asset_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"change" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_distributions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"period" text NOT NULL,
	"run_id" uuid NOT NULL,
	"party" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"entry_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_expenses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"date" date NOT NULL,
	"amount_cents" bigint NOT NULL,
	"description" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_invoices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"number" text NOT NULL,
	"kind" text NOT NULL,
	"period" text NOT NULL,
	"seq" integer NOT NULL,
	"run_id" uuid NOT NULL,
	"practice_name" text NOT NULL,
	"model" text NOT NULL,
	"issued_on" date NOT NULL,
	"due_on" date NOT NULL,
	"lines" jsonb NOT NULL,
	"fee_cents" bigint NOT NULL,
	"previously_invoiced_cents" bigint NOT NULL,
	"amount_cents" bigint NOT NULL,
	"warnings" jsonb NOT NULL,
	"practice_entry_id" uuid NOT NULL,
	"mso_entry_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fee_invoices_number" UNIQUE("number"),
	CONSTRAINT "fee_invoices_practice_period_seq" UNIQUE("practice_id","period","seq")
);
--> statement-breakpoint
CREATE TABLE "finance"."fee_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"period" text NOT NULL,
	"seq" integer NOT NULL,
	"entries_posted" integer NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "fee_runs_period_seq" UNIQUE("period","seq")
);
--> statement-breakpoint
ALTER TABLE "finance"."account_balances" ADD CONSTRAINT "account_balances_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "finance"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "finance"."journal_lines" ADD CONSTRAINT "journal_lines_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "finance"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "finance"."journal_lines" ADD CONSTRAINT "journal_lines_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "finance"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "finance"."fee_distributions" ADD CONSTRAINT "fee_distributions_run_id_fee_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "finance"."fee_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "finance"."fee_invoices" ADD CONSTRAINT "fee_invoices_run_id_fee_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "finance"."fee_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_balances_practice_period" ON "finance"."account_balances" USING btree ("practice_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_entity_key" ON "finance"."accounts" USING btree (coalesce("practice_id", '00000000-0000-0000-0000-000000000000'::uuid),"key") WHERE "finance"."accounts"."key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_reverses" ON "finance"."journal_entries" USING btree ("reverses");--> statement-breakpoint
CREATE INDEX "journal_entries_practice_date" ON "finance"."journal_entries" USING btree ("practice_id","date","seq");--> statement-breakpoint
CREATE INDEX "journal_lines_entry" ON "finance"."journal_lines" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "journal_lines_account_date" ON "finance"."journal_lines" USING btree ("account_id","date","id");--> statement-breakpoint
CREATE INDEX "journal_lines_account_ref" ON "finance"."journal_lines" USING btree ("account_id","ref");--> statement-breakpoint
CREATE INDEX "journal_lines_practice_period" ON "finance"."journal_lines" USING btree ("practice_id","period");--> statement-breakpoint
CREATE INDEX "fee_asset_changes_practice_at" ON "finance"."fee_asset_changes" USING btree ("practice_id","at");--> statement-breakpoint
CREATE INDEX "fee_distributions_practice_period" ON "finance"."fee_distributions" USING btree ("practice_id","period");--> statement-breakpoint
CREATE INDEX "fee_expenses_practice_date" ON "finance"."fee_expenses" USING btree ("practice_id","date");--> statement-breakpoint
CREATE INDEX "fee_invoices_practice_created" ON "finance"."fee_invoices" USING btree ("practice_id","created_at");