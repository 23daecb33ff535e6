-- The agreement view (packages/kit/src/agreements.ts): each practice's current agreement as the
-- service last heard it from tenancy.
CREATE TABLE IF NOT EXISTS mso_agreements (
	practice_id text PRIMARY KEY,
	version integer NOT NULL,
	agreement jsonb NOT NULL,
	updated_at timestamptz NOT NULL
);
--> statement-breakpoint
-- PHI access audit (packages/kit/src/audit.ts): one row per call of an operation declared `phi`,
-- written in the transaction of its effect (or in its own for refused and failed attempts). Ids only.
CREATE TABLE IF NOT EXISTS mso_audit (
	id uuid PRIMARY KEY,
	at timestamptz NOT NULL,
	operation text NOT NULL,
	access text NOT NULL,
	principal_id text NOT NULL,
	principal_role text NOT NULL,
	practice_id text,
	resource_ids text[] NOT NULL,
	outcome text NOT NULL,
	problem_code text,
	trace_id text
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS mso_audit_practice_at ON mso_audit (practice_id, at);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS mso_audit_at ON mso_audit (at);
--> statement-breakpoint
-- Append-only, whatever role the service connects as: no UPDATE ever, and DELETE only of rows past the
-- 6-year HIPAA retention (45 CFR 164.316(b)(2)), which is what the kit's prune does.
CREATE OR REPLACE FUNCTION mso_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' AND OLD.at < now() - interval '6 years' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'mso_audit is append-only (rows are deleted only after the 6-year retention)' USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER mso_audit_append_only BEFORE UPDATE OR DELETE ON mso_audit FOR EACH ROW EXECUTE FUNCTION mso_audit_append_only();
