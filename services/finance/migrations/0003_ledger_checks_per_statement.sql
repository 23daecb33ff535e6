-- The ledger's line rules (0001) once per statement over the lines it inserted, instead of once per line:
-- a batch of events inserts thousands of lines in one statement, and the per-line triggers (two
-- look-ups before each line, a balance check per line at commit, each entry checked once per line)
-- were most of its time. The rules are the same: a line belongs to an existing entry of its entity,
-- date and period, on an account of that entity; every entry balances. A statement's lines are now
-- checked for balance when the statement ends (their entry's lines all in that statement, as posting
-- writes them), and each new entry still at commit (it has lines, and they balance).
-- The checks read by key (a look-up per distinct entry and account of the statement), so that the
-- tenant wall's policy, whose selectivity the planner cannot estimate, never makes them scan the
-- ledger; and they are planned at each run (EXECUTE), not once per connection: a plan cached while
-- the books were empty would scan them once they are large.
CREATE OR REPLACE FUNCTION "finance"."lines_checked"() RETURNS trigger LANGUAGE plpgsql SET "mso.all_practices" = 'on' AS $$
DECLARE
  bad record;
BEGIN
  EXECUTE $q$
    SELECT l.entry_id, e.id IS NULL AS missing
      FROM (SELECT DISTINCT entry_id, practice_id, date, period FROM new_lines) l
      LEFT JOIN LATERAL (SELECT x.id, x.practice_id, x.date, x.period FROM "finance"."journal_entries" x WHERE x.id = l.entry_id OFFSET 0) e ON true
     WHERE e.id IS NULL OR l.practice_id IS DISTINCT FROM e.practice_id OR l.date <> e.date OR l.period <> e.period
     LIMIT 1$q$ INTO bad;
  IF bad.missing THEN
    RAISE EXCEPTION 'journal line for missing entry %', bad.entry_id USING ERRCODE = '23503';
  ELSIF bad.entry_id IS NOT NULL THEN
    RAISE EXCEPTION 'journal line differs from its entry % in entity, date or period', bad.entry_id USING ERRCODE = '23514', CONSTRAINT = 'journal_line_entity';
  END IF;
  EXECUTE $q$
    SELECT l.account_id
      FROM (SELECT DISTINCT account_id, practice_id FROM new_lines) l
      LEFT JOIN LATERAL (SELECT x.id, x.practice_id FROM "finance"."accounts" x WHERE x.id = l.account_id OFFSET 0) a ON true
     WHERE a.id IS NULL OR a.practice_id IS DISTINCT FROM l.practice_id
     LIMIT 1$q$ INTO bad;
  IF bad.account_id IS NOT NULL THEN
    RAISE EXCEPTION 'journal line on an account of another entity' USING ERRCODE = '23514', CONSTRAINT = 'journal_line_entity';
  END IF;
  EXECUTE $q$
    SELECT t.entry_id, s.debits, s.credits
      FROM (SELECT DISTINCT entry_id FROM new_lines) t
      CROSS JOIN LATERAL (SELECT sum(l.debit_cents) AS debits, sum(l.credit_cents) AS credits FROM "finance"."journal_lines" l WHERE l.entry_id = t.entry_id) s
     WHERE s.debits <> s.credits
     LIMIT 1$q$ INTO bad;
  IF bad.entry_id IS NOT NULL THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: debits % <> credits %', bad.entry_id, bad.debits, bad.credits USING ERRCODE = '23514', CONSTRAINT = 'journal_entry_balanced';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "journal_lines_checked" AFTER INSERT ON "finance"."journal_lines" REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION "finance"."lines_checked"();
--> statement-breakpoint
DROP TRIGGER "journal_line_matches_entry" ON "finance"."journal_lines";
--> statement-breakpoint
DROP TRIGGER "journal_line_balanced" ON "finance"."journal_lines";
--> statement-breakpoint
DROP FUNCTION "finance"."line_matches_entry"();
--> statement-breakpoint
DROP FUNCTION "finance"."entry_balanced_on_line"();
