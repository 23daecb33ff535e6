-- The tenant wall (docs/kit/tenant-wall.md) on every table with a practice_id, and the ledger's database rules.
ALTER TABLE "finance"."account_balances" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."account_balances" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."account_balances" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."accounts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."accounts" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."accounts" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."balance_checks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."balance_checks" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."balance_checks" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."entities" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."entities" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."entities" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_agreement_versions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_agreement_versions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_agreement_versions" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_asset_changes" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_asset_changes" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_asset_changes" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_distributions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_distributions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_distributions" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_expenses" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_expenses" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_expenses" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_invoices" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_invoices" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_invoices" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."fee_runs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."fee_runs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."fee_runs" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."journal_entries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."journal_entries" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."journal_entries" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."journal_lines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."journal_lines" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."journal_lines" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "finance"."periods" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "finance"."periods" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "finance"."periods" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
-- Ledger rule: every entry balances (Σ debits = Σ credits, at least one line), checked at commit.
-- The checks read across the tenant wall (SET for the function only): at commit a transaction that
-- widened its scope for MSO-wide work is narrowed back, and the check must still see the entry's lines.
CREATE OR REPLACE FUNCTION "finance"."assert_entry_balanced"(entry uuid) RETURNS void LANGUAGE plpgsql SET "mso.all_practices" = 'on' AS $$
DECLARE
  debits bigint;
  credits bigint;
  n integer;
BEGIN
  SELECT coalesce(sum(debit_cents), 0), coalesce(sum(credit_cents), 0), count(*) INTO debits, credits, n
    FROM "finance"."journal_lines" WHERE entry_id = entry;
  IF n = 0 THEN
    RAISE EXCEPTION 'journal entry % has no lines', entry USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_balanced';
  END IF;
  IF debits <> credits THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: debits % <> credits %', entry, debits, credits USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_balanced';
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "finance"."entry_balanced_on_entry"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "finance"."assert_entry_balanced"(NEW.id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "finance"."entry_balanced_on_line"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "finance"."assert_entry_balanced"(NEW.entry_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "journal_entry_balanced" AFTER INSERT ON "finance"."journal_entries"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "finance"."entry_balanced_on_entry"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "journal_line_balanced" AFTER INSERT ON "finance"."journal_lines"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "finance"."entry_balanced_on_line"();
--> statement-breakpoint
-- Ledger rule: a line belongs to its entry's entity, date and period, on an account of that entity.
CREATE OR REPLACE FUNCTION "finance"."line_matches_entry"() RETURNS trigger LANGUAGE plpgsql SET "mso.all_practices" = 'on' AS $$
DECLARE
  e record;
  account_entity uuid;
BEGIN
  SELECT practice_id, date, period INTO e FROM "finance"."journal_entries" WHERE id = NEW.entry_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'journal line for missing entry %', NEW.entry_id USING ERRCODE = '23503';
  END IF;
  IF NEW.practice_id IS DISTINCT FROM e.practice_id OR NEW.date <> e.date OR NEW.period <> e.period THEN
    RAISE EXCEPTION 'journal line differs from its entry % in entity, date or period', NEW.entry_id USING ERRCODE = '23514', CONSTRAINT = 'journal_line_entity';
  END IF;
  SELECT practice_id INTO account_entity FROM "finance"."accounts" WHERE id = NEW.account_id;
  IF NOT FOUND OR account_entity IS DISTINCT FROM e.practice_id THEN
    RAISE EXCEPTION 'journal line on an account of another entity' USING ERRCODE = '23514', CONSTRAINT = 'journal_line_entity';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "journal_line_matches_entry" BEFORE INSERT ON "finance"."journal_lines"
  FOR EACH ROW EXECUTE FUNCTION "finance"."line_matches_entry"();
--> statement-breakpoint
-- Ledger rule: a closed period takes no postings.
CREATE OR REPLACE FUNCTION "finance"."entry_in_open_period"() RETURNS trigger LANGUAGE plpgsql SET "mso.all_practices" = 'on' AS $$
BEGIN
  IF to_char(NEW.date, 'YYYY-MM') <> NEW.period THEN
    RAISE EXCEPTION 'journal entry dated % is not in period %', NEW.date, NEW.period USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_period';
  END IF;
  IF EXISTS (SELECT 1 FROM "finance"."periods" p WHERE p.practice_id IS NOT DISTINCT FROM NEW.practice_id AND p.period = NEW.period) THEN
    RAISE EXCEPTION 'period % is closed', NEW.period USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_open_period';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "journal_entry_in_open_period" BEFORE INSERT ON "finance"."journal_entries"
  FOR EACH ROW EXECUTE FUNCTION "finance"."entry_in_open_period"();
--> statement-breakpoint
-- Ledger rule: posted entries and lines are immutable for the service (corrections are reversing entries);
-- closed periods stay closed.
REVOKE UPDATE, DELETE, TRUNCATE ON "finance"."journal_entries" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "finance"."journal_lines" FROM mso_service;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "finance"."periods" FROM mso_service;
