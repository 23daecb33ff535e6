-- Idempotency with Stripe semantics (packages/kit/src/idempotency.ts): one record per practice and
-- key, claimed before the handler runs and completed with its first reply. The records of earlier
-- releases (a reply cache kept at most a day, without fingerprints) are dropped rather than converted.
DROP TABLE IF EXISTS mso_idempotency;
--> statement-breakpoint
CREATE TABLE mso_idempotency (
	practice_id text NOT NULL,
	key text NOT NULL,
	operation text NOT NULL,
	-- sha256 of operation, practice and canonical input: the same key with another request is refused.
	fingerprint text NOT NULL,
	-- The claim of the copy running the first request; another copy may take it over after locked_until.
	owner text NOT NULL,
	locked_until timestamptz NOT NULL,
	-- Set in the handler's own transaction: its effects are committed (never re-run it after that).
	committed_at timestamptz,
	-- The first reply: null while it runs. `sealed_reply` (AES-256-GCM) replaces `reply` for PHI operations.
	status integer,
	reply jsonb,
	sealed_reply text,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (practice_id, key)
);
--> statement-breakpoint
CREATE INDEX mso_idempotency_expiry ON mso_idempotency (expires_at);
