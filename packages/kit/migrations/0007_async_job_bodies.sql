-- The raw body of an async operation's call (packages/kit/src/jobs.ts): kept with its job row so that
-- whichever copy runs the job, or resumes it after a crash, hands the handler the same bytes. Cleared
-- when the job ends.
ALTER TABLE mso_async_jobs ADD COLUMN IF NOT EXISTS body bytea;
--> statement-breakpoint
ALTER TABLE mso_async_jobs ADD COLUMN IF NOT EXISTS body_media_type text;
