-- Onboarding and offboarding: checklist templates per employer, checklists per employment and their
-- tasks, terminations; the systems an employment needs access to.
CREATE TABLE "hr"."checklist_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"checklist_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"owner_role" text NOT NULL,
	"due_on" date NOT NULL,
	"done_at" timestamp with time zone,
	"done_by" text
);
--> statement-breakpoint
CREATE TABLE "hr"."checklist_templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"tasks" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "checklist_templates_employer_kind" UNIQUE NULLS NOT DISTINCT("practice_id","kind")
);
--> statement-breakpoint
CREATE TABLE "hr"."checklists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"kind" text NOT NULL,
	"employment_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"template_id" uuid,
	"anchor_date" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hr"."terminations" (
	"employment_id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid,
	"last_day" date NOT NULL,
	"reason" text,
	"note" text,
	"recorded_at" timestamp with time zone NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hr"."employments" ADD COLUMN "systems" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "hr"."checklist_tasks" ADD CONSTRAINT "checklist_tasks_checklist_id_checklists_id_fk" FOREIGN KEY ("checklist_id") REFERENCES "hr"."checklists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."checklists" ADD CONSTRAINT "checklists_employment_id_employments_id_fk" FOREIGN KEY ("employment_id") REFERENCES "hr"."employments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."checklists" ADD CONSTRAINT "checklists_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "hr"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."checklists" ADD CONSTRAINT "checklists_template_id_checklist_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "hr"."checklist_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."terminations" ADD CONSTRAINT "terminations_employment_id_employments_id_fk" FOREIGN KEY ("employment_id") REFERENCES "hr"."employments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "checklist_tasks_position" ON "hr"."checklist_tasks" USING btree ("checklist_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "checklists_employment_kind" ON "hr"."checklists" USING btree ("employment_id","kind");--> statement-breakpoint
CREATE INDEX "checklists_practice" ON "hr"."checklists" USING btree ("practice_id","created_at","id");
--> statement-breakpoint
-- The tenant wall (docs/kit/tenant-wall.md) on this part's tables.
ALTER TABLE "hr"."checklist_tasks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."checklist_tasks" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."checklist_tasks" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."checklist_templates" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."checklist_templates" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."checklist_templates" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."checklists" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."checklists" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."checklists" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "hr"."terminations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "hr"."terminations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_wall" ON "hr"."terminations" AS PERMISSIVE FOR ALL TO public USING (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid) WITH CHECK (current_setting('mso.all_practices', true) = 'on' OR practice_id IS NOT DISTINCT FROM nullif(current_setting('mso.practice_id', true), '')::uuid);
