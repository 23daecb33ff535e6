-- Scheduled job runs and async operation calls (packages/kit/src/job-tables.ts describes them).
CREATE TABLE IF NOT EXISTS mso_schedule (
	key text PRIMARY KEY,
	job text NOT NULL,
	practice_id text,
	last_fire timestamptz,
	pending_fire timestamptz,
	attempts integer NOT NULL DEFAULT 0,
	retry_at timestamptz,
	lease_owner text,
	lease_until timestamptz,
	last_run_at timestamptz,
	last_success_at timestamptz,
	last_error_code text,
	consecutive_failures integer NOT NULL DEFAULT 0,
	next_run_at timestamptz
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS mso_async_jobs (
	id uuid PRIMARY KEY,
	practice_id text,
	operation text NOT NULL,
	input jsonb NOT NULL,
	principal jsonb NOT NULL,
	status text NOT NULL,
	progress_done integer NOT NULL DEFAULT 0,
	progress_total integer NOT NULL DEFAULT 0,
	result jsonb,
	problem jsonb,
	attempts integer NOT NULL DEFAULT 0,
	lease_owner text,
	lease_until timestamptz,
	created_at timestamptz NOT NULL,
	started_at timestamptz,
	updated_at timestamptz NOT NULL,
	finished_at timestamptz
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS mso_async_jobs_open ON mso_async_jobs (lease_until) WHERE status IN ('queued', 'running');
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS mso_async_jobs_practice ON mso_async_jobs (practice_id, created_at, id);
