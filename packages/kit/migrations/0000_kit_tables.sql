-- The kit's tables as the hand-written DDL of earlier releases created them: IF NOT EXISTS, so a
-- schema that already has them records this migration and changes nothing. Names are unqualified:
-- the migrator runs with search_path set to the service's schema.
CREATE TABLE IF NOT EXISTS mso_outbox (
	seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id uuid NOT NULL UNIQUE,
	subject text NOT NULL,
	envelope jsonb NOT NULL,
	headers jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	published_at timestamptz
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS mso_outbox_unpublished ON mso_outbox (seq) WHERE published_at IS NULL;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS mso_inbox (
	consumer text NOT NULL,
	event_id text NOT NULL,
	handled_at timestamptz NOT NULL,
	PRIMARY KEY (consumer, event_id)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS mso_jobs (
	name text PRIMARY KEY,
	last_tick bigint NOT NULL,
	ran_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS mso_idempotency (
	practice_id text NOT NULL,
	operation text NOT NULL,
	key text NOT NULL,
	status bigint NOT NULL,
	reply jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (practice_id, operation, key)
);
