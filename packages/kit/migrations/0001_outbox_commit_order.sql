-- Commit order per practice: an emitting transaction bumps its practice's row here and holds that row
-- lock until it commits, so a second transaction emitting for the same practice takes its outbox
-- sequence only after the first has committed or rolled back (see packages/kit/src/outbox.ts).
-- practice_id '' stands for events of no practice.
CREATE TABLE mso_outbox_sequence (
	practice_id text PRIMARY KEY,
	last_seq bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE mso_outbox ADD COLUMN practice_id text;
--> statement-breakpoint
ALTER TABLE mso_outbox ADD COLUMN practice_seq bigint;
--> statement-breakpoint
-- Pruning finds published rows and old inbox ids by time.
CREATE INDEX mso_outbox_published ON mso_outbox (published_at) WHERE published_at IS NOT NULL;
--> statement-breakpoint
CREATE INDEX mso_inbox_handled ON mso_inbox (handled_at);
