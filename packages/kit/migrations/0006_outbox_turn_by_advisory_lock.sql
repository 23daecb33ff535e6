-- Emitters of one practice now take turns on a transaction-level advisory lock instead of a row of
-- mso_outbox_sequence (packages/kit/src/outbox.ts): a waiter is not failed with 40001 under
-- repeatable read or serializable when the holder commits. Within a practice, seq order is commit
-- order, so the per-practice counter and its copy on each outbox row are no longer needed.
DROP TABLE IF EXISTS mso_outbox_sequence;
--> statement-breakpoint
ALTER TABLE mso_outbox DROP COLUMN IF EXISTS practice_seq;
