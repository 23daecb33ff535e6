-- HR's staff directory, which ticket assignees now refer to (a person id instead of free text).
-- staff_members is one row per person across the MSO and every practice: it has no practice_id and so
-- stays outside the tenant wall; it holds names, titles and employment dates only, and helpdesk's reads
-- pick the employments of the MSO and of the request's practice.
-- Existing free-text assignees cannot be matched to people reliably: they are kept, read-only, as
-- assignee_label (shown on the ticket until its next assignment); assignee_id starts empty.
CREATE TABLE "helpdesk"."staff_members" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"employments" jsonb NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "helpdesk"."tickets" RENAME COLUMN "assignee" TO "assignee_label";--> statement-breakpoint
ALTER TABLE "helpdesk"."tickets" ADD COLUMN "assignee_id" uuid;--> statement-breakpoint
CREATE INDEX "tickets_practice_assignee" ON "helpdesk"."tickets" USING btree ("practice_id","assignee_id");
