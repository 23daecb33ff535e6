-- Work-queue assignees now refer to people of HR's staff directory (a person id instead of free text);
-- the directory itself is the kit's (`staffDirectory`, kit migration 0009_staff_directory).
-- Existing free-text assignees cannot be matched to people reliably: they are kept, read-only, as
-- assignee_label (shown on the item until its next assignment); assignee_id starts empty.
ALTER TABLE "billing"."denial_items" RENAME COLUMN "assignee" TO "assignee_label";--> statement-breakpoint
ALTER TABLE "billing"."denial_items" ADD COLUMN "assignee_id" uuid;--> statement-breakpoint
ALTER TABLE "billing"."missing_era_items" RENAME COLUMN "assignee" TO "assignee_label";--> statement-breakpoint
ALTER TABLE "billing"."missing_era_items" ADD COLUMN "assignee_id" uuid;
