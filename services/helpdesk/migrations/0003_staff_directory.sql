-- Ticket assignees now refer to people of HR's staff directory (a person id instead of free text); the
-- directory itself is the kit's (`staffDirectory`, kit migration 0009_staff_directory).
-- Existing free-text assignees cannot be matched to people reliably: they are kept, read-only, as
-- assignee_label (shown on the ticket until its next assignment); assignee_id starts empty.
ALTER TABLE "helpdesk"."tickets" RENAME COLUMN "assignee" TO "assignee_label";--> statement-breakpoint
ALTER TABLE "helpdesk"."tickets" ADD COLUMN "assignee_id" uuid;--> statement-breakpoint
CREATE INDEX "tickets_practice_assignee" ON "helpdesk"."tickets" USING btree ("practice_id","assignee_id");
