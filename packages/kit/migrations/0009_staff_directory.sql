-- HR's staff directory (packages/kit/src/staff-directory.ts): each person as HR last announced them
-- (`hr.staff-member.changed`), for services that declare `staffDirectory`. One row per person across
-- the MSO and every practice, so no practice_id and no tenant wall; names, titles and employment dates
-- only. changed_at is the announcing event's time: an older event arriving late does not undo a newer one.
CREATE TABLE IF NOT EXISTS mso_staff_members (
	person_id uuid PRIMARY KEY,
	display_name text NOT NULL,
	employments jsonb NOT NULL,
	changed_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);
--> statement-breakpoint
-- Who has an employment at the MSO or at a practice (`employments @> '[{"employer": ...}]'`).
CREATE INDEX IF NOT EXISTS mso_staff_members_employers ON mso_staff_members USING gin (employments jsonb_path_ops);
